"""S3 settings helpers that import no Django, for tongyun.settings."""

from urllib.parse import urlsplit


def s3_origins(*, endpoint_url, bucket_names, custom_domain, region, addressing_style):
    """
    The origins browsers fetch S3 files from, for the CSP's img-src: the
    custom domain, the endpoint (path style, or each bucket as its
    subdomain), or AWS's own hosts.
    """
    origins = []
    if custom_domain:
        origins.append(f"https://{custom_domain.split('/')[0]}")
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if addressing_style == "virtual":
            origins += [f"{parts.scheme}://{b}.{parts.netloc}" for b in bucket_names]
        else:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    else:
        host = f"s3.{region}.amazonaws.com" if region else "s3.amazonaws.com"
        origins += [f"https://{b}.{host}" for b in bucket_names]
        origins.append(f"https://{host}")
    return list(dict.fromkeys(origins))
