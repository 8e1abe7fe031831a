"""
Uploads in S3-compatible buckets, against a real S3 server (moto in server
mode, started on 127.0.0.1 for the run): residents' pictures land in the
private bucket and go out as short-lived signed URLs after the same checks
as on local disk; staff photos land in the public bucket and render with
its URL.
"""

import io
import json
import re
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from artworks.models import Artwork
from feedback.models import Suggestion
from gardens.models import Garden
from tests.artworks.conftest import jpeg
from tests.artworks.test_forms import submit
from tests.factories import (
    ArtworkFactory,
    CallFactory,
    CommunityFactory,
    GardenFactory,
    SuggestionFactory,
)
from tests.feedback.test_views import send
from tests.gardens.test_admin import garden_add
from tests.tasks import run
from tests.test_project import run_django
from tests.tongyun.test_deploy import check_deploy, production, settings_in
from tongyun.lib.s3 import s3_origins

pytestmark = pytest.mark.django_db

REGION = "us-east-1"
KEYS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server for the run, in this process, on a free port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_server, settings):
    """
    Fresh public and private buckets, and STORAGES pointing at them as
    tongyun.settings configures them when S3_BUCKET is set; a boto3
    client to look inside.
    """
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    suffix = uuid.uuid4().hex[:12]
    public, private = f"public-{suffix}", f"private-{suffix}"
    for bucket in (public, private):
        client.create_bucket(Bucket=bucket)
    # Anyone may read the public bucket, as docs/DEPLOY.md asks of it.
    client.put_bucket_policy(Bucket=public, Policy=json.dumps(public_read(public)))
    common = {
        **KEYS,
        "endpoint_url": s3_server,
        "region_name": REGION,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": None,
        "file_overwrite": False,
    }
    private_storage = {
        "BACKEND": "tongyun.lib.storage.PrivateS3Storage",
        "OPTIONS": {**common, "bucket_name": private, "querystring_expire": 60},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tongyun.lib.storage.PublicS3Storage",
            "OPTIONS": {**common, "bucket_name": public},
        },
        "artworks": private_storage,
        "suggestions": private_storage,
    }
    client.buckets = {"public": public, "private": private}
    return client


def public_read(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def keys(s3, which):
    listed = s3.list_objects_v2(Bucket=s3.buckets[which])
    return sorted(item["Key"] for item in listed.get("Contents", []))


def fetch(url):
    """Status, headers and body of a GET to url, outside Django."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def assert_signed_redirect(response, s3, key, *, cache="private, no-store"):
    """A 302 to a URL of key in the private bucket, signed for 60 seconds."""
    assert response.status_code == 302
    assert response["Cache-Control"] == cache
    url = urlsplit(response["Location"])
    assert url.path == f"/{s3.buckets['private']}/{key}"
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    return response["Location"]


def assert_jpeg(body, size=None):
    with Image.open(io.BytesIO(body)) as picture:
        assert picture.format == "JPEG"
        if size:
            assert picture.size == size


# --- Residents' pictures: private bucket, signed URLs -------------------------


def test_submitted_artwork_lands_in_the_private_bucket_only(
    client, s3, queue, django_capture_on_commit_callbacks
):
    CallFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    sent, original = keys(s3, "private"), Artwork.objects.get().original.name
    # The worker draws the pictures from the bucket and deletes the original.
    with django_capture_on_commit_callbacks(execute=True):
        run(queue[0])

    artwork = Artwork.objects.get()
    assert response["Location"] == artwork.get_status_url()
    assert sent == [original]
    assert original.startswith("artworks/originals/")
    assert keys(s3, "private") == sorted([artwork.image.name, artwork.thumbnail.name])
    assert keys(s3, "public") == []


def test_approved_work_image_redirects_to_a_signed_url_that_serves_it(
    client, s3, django_capture_on_commit_callbacks
):
    CallFactory()
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    artwork = Artwork.objects.get()
    artwork.status = Artwork.Status.APPROVED
    artwork.save(update_fields=["status"])

    response = client.get(reverse("artworks:image", args=[artwork.pk, "display"]))

    url = assert_signed_redirect(
        response, s3, artwork.image.name, cache="public, max-age=30"
    )
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Content-Type"] == "image/jpeg"
    assert_jpeg(body, (artwork.image_width, artwork.image_height))


def test_private_bucket_refuses_a_request_without_signature(client, s3):
    artwork = ArtworkFactory()
    response = client.get(reverse("artworks:image", args=[artwork.pk, "display"]))
    url = assert_signed_redirect(
        response, s3, artwork.image.name, cache="public, max-age=30"
    )

    status, _, body = fetch(url.split("?")[0])

    assert status == 403
    assert b"JFIF" not in body


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_work_not_public_is_refused_to_the_public_with_no_url(s3, status):
    artwork = ArtworkFactory(status=status)
    client = Client()

    response = client.get(reverse("artworks:image", args=[artwork.pk, "display"]))

    assert response.status_code == 404
    assert not response.has_header("Location")
    assert s3.buckets["private"].encode() not in response.content
    assert b"X-Amz-Signature" not in response.content


def test_pending_work_is_redirected_for_its_token_holder(client, s3):
    artwork = ArtworkFactory(status="pending")
    url = reverse("artworks:image", args=[artwork.pk, "display"])

    response = client.get(url, {"token": artwork.token})

    signed = assert_signed_redirect(response, s3, artwork.image.name)
    assert fetch(signed)[0] == 200


def test_with_s3_the_accel_redirect_setting_changes_nothing(client, s3, settings):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/_private/"
    artwork = ArtworkFactory(status="pending")
    url = reverse("artworks:image", args=[artwork.pk, "display"])

    response = client.get(url, {"token": artwork.token})

    assert "X-Accel-Redirect" not in response
    signed = assert_signed_redirect(response, s3, artwork.image.name)
    assert fetch(signed)[0] == 200


def test_suggestion_photo_lands_in_the_private_bucket_and_stays_private(client, s3):
    response = send(client, photo=jpeg())

    assert response.status_code == 303
    suggestion = Suggestion.objects.get()
    assert keys(s3, "private") == [suggestion.photo.name]
    assert keys(s3, "public") == []
    response = Client().get(reverse("feedback:photo", args=[suggestion.pk]))
    assert response.status_code == 404
    assert not response.has_header("Location")


def test_suggestion_photo_redirects_for_its_submitter(client, s3):
    suggestion = SuggestionFactory(photo=jpeg())
    url = reverse("feedback:photo", args=[suggestion.pk])

    response = client.get(url, {"token": suggestion.token})

    signed = assert_signed_redirect(response, s3, suggestion.photo.name)
    status, _, body = fetch(signed)
    assert status == 200
    assert_jpeg(body)


def test_accepted_suggestion_photo_redirects_for_anyone(s3):
    suggestion = SuggestionFactory(photo=jpeg(), status="accepted")

    response = Client().get(reverse("feedback:photo", args=[suggestion.pk]))

    assert_signed_redirect(
        response, s3, suggestion.photo.name, cache="public, max-age=30"
    )


# --- Staff photos: public bucket, plain URLs ----------------------------------


def test_staff_garden_photo_lands_in_the_public_bucket_and_renders(admin_client, s3):
    picture = jpeg("garden.jpg", size=(600, 400))

    response = garden_add(admin_client, CommunityFactory(), picture)

    assert response.status_code == 302
    garden = Garden.objects.get()
    assert keys(s3, "public") == [garden.photo.name]
    assert keys(s3, "private") == []
    url = garden.photo.url
    assert url.startswith(f"{s3.meta.endpoint_url}/{s3.buckets['public']}/garden/")
    assert "X-Amz-Signature" not in url
    page = Client().get(garden.get_absolute_url()).content.decode()
    assert f'src="{url}"' in page
    status, _, body = fetch(url)
    assert status == 200
    assert_jpeg(body, (600, 400))


def test_garden_photo_url_is_the_public_bucket_url(s3):
    garden = GardenFactory(photo=jpeg())

    assert garden.photo.url == (
        f"{s3.meta.endpoint_url}/{s3.buckets['public']}/{garden.photo.name}"
    )


# --- Settings ------------------------------------------------------------------


def test_local_disk_is_the_default_and_streams_private_pictures(client):
    artwork = ArtworkFactory()

    response = client.get(reverse("artworks:image", args=[artwork.pk, "display"]))

    assert response.status_code == 200
    assert response.streaming
    assert_jpeg(b"".join(response.streaming_content), (160, 120))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"endpoint_url": "http://s3.local:9000", "addressing_style": "path"},
            ["http://s3.local:9000"],
        ),
        (
            {"endpoint_url": "https://s3.local", "addressing_style": "virtual"},
            ["https://pub.s3.local", "https://priv.s3.local"],
        ),
        (
            {"endpoint_url": None, "region": "cn-north-1"},
            [
                "https://pub.s3.cn-north-1.amazonaws.com",
                "https://priv.s3.cn-north-1.amazonaws.com",
                "https://s3.cn-north-1.amazonaws.com",
            ],
        ),
        (
            {"custom_domain": "img.example.org/media", "addressing_style": "path"},
            ["https://img.example.org", "http://s3.local:9000"],
        ),
    ],
)
def test_s3_origins_name_the_hosts_pictures_come_from(options, expected):
    arguments = {
        "endpoint_url": "http://s3.local:9000",
        "bucket_names": ["pub", "priv"],
        "custom_domain": None,
        "region": None,
        "addressing_style": None,
    } | options

    assert s3_origins(**arguments) == expected


S3_ENV = {
    "S3_BUCKET": "tongyun-public",
    "S3_PRIVATE_BUCKET": "tongyun-private",
    "S3_ENDPOINT_URL": "https://s3.example.org",
    "S3_ACCESS_KEY_ID": "key",
    "S3_SECRET_ACCESS_KEY": "secret",
    "S3_REGION": "cn-north-1",
    "S3_ADDRESSING_STYLE": "path",
}


def test_without_s3_settings_uploads_stay_on_local_disk():
    shown = settings_in(production(), "STORAGES", "SECURE_CSP")

    assert shown["STORAGES"]["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )
    assert shown["STORAGES"]["artworks"]["BACKEND"] == (
        "tongyun.lib.storage.PrivateStorage"
    )
    assert shown["SECURE_CSP"]["img-src"] == ["'self'", "data:"]


def test_s3_settings_put_uploads_in_two_buckets_and_let_pictures_load():
    shown = settings_in(production(**S3_ENV), "STORAGES", "SECURE_CSP")

    storages = shown["STORAGES"]
    assert storages["default"]["BACKEND"] == "tongyun.lib.storage.PublicS3Storage"
    assert storages["default"]["OPTIONS"]["bucket_name"] == "tongyun-public"
    for alias in ("artworks", "suggestions"):
        assert storages[alias]["BACKEND"] == "tongyun.lib.storage.PrivateS3Storage"
        assert storages[alias]["OPTIONS"]["bucket_name"] == "tongyun-private"
        assert storages[alias]["OPTIONS"]["querystring_expire"] == 60
        assert storages[alias]["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
    assert shown["SECURE_CSP"]["img-src"] == [
        "'self'",
        "data:",
        "https://s3.example.org",
    ]


def test_s3_settings_check_deploy_passes():
    result = check_deploy(production(**S3_ENV))

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "variables",
    [
        {"S3_PRIVATE_BUCKET": ""},
        {"S3_PRIVATE_BUCKET": "", "S3_PUBLIC_PREFIX": "public"},
        {
            "S3_PRIVATE_BUCKET": "tongyun-public",
            "S3_PUBLIC_PREFIX": "media",
            "S3_PRIVATE_PREFIX": "media/private",
        },
        {"S3_ADDRESSING_STYLE": "sideways"},
        {"S3_SIGNED_URL_SECONDS": "a minute"},
    ],
)
def test_s3_settings_that_would_expose_private_pictures_stop_startup(variables):
    result = run_django(production(**S3_ENV | variables))

    assert result.returncode != 0
    [refusal] = re.findall(r"ImproperlyConfigured: (.*)", result.stderr)
    assert "S3_" in refusal


def test_one_bucket_with_two_prefixes_is_accepted():
    env = production(
        **S3_ENV
        | {
            "S3_PRIVATE_BUCKET": "",
            "S3_PUBLIC_PREFIX": "public",
            "S3_PRIVATE_PREFIX": "private",
        }
    )

    storages = settings_in(env, "STORAGES")["STORAGES"]

    assert storages["default"]["OPTIONS"]["location"] == "public"
    assert storages["artworks"]["OPTIONS"]["location"] == "private"
    assert storages["artworks"]["OPTIONS"]["bucket_name"] == "tongyun-public"


# --- Private bucket unreachable -------------------------------------------------


@pytest.fixture
def stopped_s3(s3, settings):
    """The private storage of s3 pointed at an S3 server that has stopped:
    a moto server started, then stopped, so nothing answers on its port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    server.stop()
    storage = settings.STORAGES["artworks"]
    stopped = storage | {
        "OPTIONS": storage["OPTIONS"] | {"endpoint_url": f"http://{host}:{port}"}
    }
    settings.STORAGES = settings.STORAGES | {
        "artworks": stopped,
        "suggestions": stopped,
    }
    return s3


def test_artwork_is_refused_with_503_when_the_bucket_is_unreachable(
    client, stopped_s3, queue
):
    CallFactory()

    response = submit(client)

    assert response.status_code == 503
    assert [e.code for e in response.context["form"].errors.as_data()["__all__"]] == [
        "storage_unavailable"
    ]
    assert Artwork.objects.count() == 0
    assert keys(stopped_s3, "private") == []
    assert queue == []


def test_suggestion_is_refused_with_503_when_the_bucket_is_unreachable(
    client, stopped_s3
):
    response = send(client, photo=jpeg())

    assert response.status_code == 503
    assert Suggestion.objects.count() == 0
    assert keys(stopped_s3, "private") == []
