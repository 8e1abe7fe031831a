"""
The nginx configuration of docs/DEPLOY.md: nginx accepts it (`nginx -t`),
and in front of gunicorn on the production settings it serves the site over
HTTPS with the app's headers, refuses bodies past the upload limit, and
writes no ticket's secret to its access log.

Without nginx these tests skip; with REQUIRE_NGINX=1 (CI) a missing nginx
fails them instead.
"""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
from types import SimpleNamespace

import pytest

from tests.servers import BASE_DIR, free_port, gunicorn, manage
from tests.threads import wait_until

CONFIG = BASE_DIR / "deploy/nginx/tongyun.conf"
HOST = "garden.example.org"


@pytest.fixture
def nginx():
    """The nginx binary."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found:
        return found
    reason = "nginx not found (apt-get install nginx-light)"
    if os.environ.get("REQUIRE_NGINX", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason}; REQUIRE_NGINX is set, so this is a failure")
    pytest.skip(reason)


def certificate(folder):
    """A self-signed certificate for HOST: (certificate, key)."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt"]
        + ["ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def nginx_prefix(tmp_path, *, ports=None, app_port=8000):
    """
    A folder for nginx with the site's configuration in it: certificate,
    logs and media under tmp_path; with ports ({80: n, 443: m}), listening
    on 127.0.0.1 there instead. Returns the main configuration's path.
    """
    prefix = tmp_path / "nginx"
    for folder in ("logs", "tls", "srv/media", "temp"):
        (prefix / folder).mkdir(parents=True)
    cert, key = certificate(prefix / "tls")
    site = CONFIG.read_text()
    site = site.replace(f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert))
    site = site.replace(f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{prefix}/logs/")
    site = site.replace("/srv/tongyun/", f"{prefix}/srv/")
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    if ports:
        site = re.sub(r"\n *listen \[::\]:.*;", "", site)
        for port, free in ports.items():
            site = re.sub(rf"listen {port}\b", f"listen 127.0.0.1:{free}", site)
    (prefix / "tongyun.conf").write_text(site)
    # Workers of a master started as root would run as nobody, who cannot
    # enter the test's private folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = prefix / "nginx.conf"
    main.write_text(
        f"{user}pid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/logs/error.log;\n"
        "events {}\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log {prefix}/logs/access.log;\n"
        f"    client_body_temp_path {prefix}/temp/body;\n"
        f"    proxy_temp_path {prefix}/temp/proxy;\n"
        f"    fastcgi_temp_path {prefix}/temp/fastcgi;\n"
        f"    uwsgi_temp_path {prefix}/temp/uwsgi;\n"
        f"    scgi_temp_path {prefix}/temp/scgi;\n"
        f"    include {prefix}/tongyun.conf;\n"
        "}\n"
    )
    return main


def test_nginx_accepts_the_configuration(nginx, tmp_path):
    main = nginx_prefix(tmp_path)

    result = subprocess.run(
        [nginx, "-t", "-p", str(main.parent), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr
    assert "test is successful" in result.stderr


class Tls(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:port, naming HOST (SNI and Host) as a browser
    that asked for the site would; the test's own certificate accepted."""

    def __init__(self, port):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__(HOST, port, timeout=30, context=context)

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def ask(connection, method, path, body=None, headers=None):
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, response.headers, response.read()


MAKE_DATA = """
from tests.factories import ArtworkFactory, SignupFactory
print(SignupFactory(phone="+8613800138000").token)
artwork = ArtworkFactory(status="pending")
print(artwork.pk, artwork.token, artwork.image.name)
"""


@pytest.fixture
def behind_nginx(nginx, site, tmp_path):
    """gunicorn on the production settings behind nginx on free ports,
    private pictures sent by nginx (PRIVATE_MEDIA_ACCEL_REDIRECT): https
    and http ports, nginx's logs folder, gunicorn's access log, a ticket's
    token, and a pending work (pk, token, its display image's path)."""
    private_media = tmp_path / "nginx/srv/private-media"
    env = {
        **site,
        "PRIVATE_MEDIA_ROOT": str(private_media),
        "PRIVATE_MEDIA_ACCEL_REDIRECT": "/_private/",
        "LOCAL_MODE": "false",
        "TRUSTED_PROXY": "true",
        "MAIL_BACKEND": "none",
        "SITE_URL": f"https://{HOST}",
        # 127.0.0.1 for the harness, which asks gunicorn's /healthz directly.
        "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
    }
    token, work = manage(env, code=MAKE_DATA).strip().splitlines()
    pk, work_token, name = work.split()
    artwork = SimpleNamespace(pk=pk, token=work_token, name=name)
    artwork.image = private_media / name
    https_port, http_port = free_port(), free_port()
    with gunicorn(env, tmp_path) as (url, app_log, _):
        app_port = int(url.rsplit(":", 1)[1])
        main = nginx_prefix(
            tmp_path, ports={80: http_port, 443: https_port}, app_port=app_port
        )
        output = main.parent / "logs/nginx-output.log"
        with output.open("w") as out:
            process = subprocess.Popen(
                [nginx, "-p", str(main.parent), "-c", str(main), "-g", "daemon off;"],
                stdout=out,
                stderr=out,
            )
        try:
            wait_until(lambda: listening(https_port, process, output), what="nginx")
            yield SimpleNamespace(
                https_port=https_port,
                http_port=http_port,
                logs=main.parent / "logs",
                app_log=app_log,
                token=token,
                artwork=artwork,
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def listening(port, process, output):
    if process.poll() is not None:
        pytest.fail(f"nginx exited: {output.read_text()}")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_the_site_behind_nginx_is_https_only_and_logs_no_token(behind_nginx):
    https_port, http_port, token = (
        behind_nginx.https_port,
        behind_nginx.http_port,
        behind_nginx.token,
    )
    logs, app_log = behind_nginx.logs, behind_nginx.app_log
    ticket = f"/signups/{token}/"
    site = Tls(https_port)
    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=30)

    page = ask(site, "GET", ticket)
    static = ask(site, "GET", "/static/css/site.css")
    login = ask(site, "GET", f"/admin/login/?next={ticket}check-in/")
    too_big = ask(
        site,
        "POST",
        "/artworks/submit/",
        body=b"x" * (22 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )
    redirect = ask(plain, "GET", ticket, headers={"Host": HOST})
    site.close()
    plain.close()

    assert (page[0], static[0], login[0], too_big[0]) == (200, 200, 200, 413)
    for _, headers, _ in (page, static, login):
        # Only a request that came over HTTPS gets HSTS: the app trusted
        # nginx's X-Forwarded-Proto.
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert (redirect[0], redirect[1]["Location"]) == (301, f"https://{HOST}{ticket}")
    wait_until(lambda: (logs / "tongyun.access.log").stat().st_size > 0)
    nginx_log = (logs / "tongyun.access.log").read_text()
    assert '"GET /signups/[token]/ HTTP/1.1" 200' in nginx_log
    assert token not in nginx_log
    assert token not in (logs / "tongyun.error.log").read_text()
    assert token not in app_log.read_text()


def test_nginx_sends_private_pictures_the_app_allows_and_no_others(behind_nginx):
    artwork = behind_nginx.artwork
    image = f"/artworks/{artwork.pk}/display.jpg"
    site = Tls(behind_nginx.https_port)

    allowed = ask(site, "GET", f"{image}?token={artwork.token}")
    no_token = ask(site, "GET", image)
    wrong_token = ask(site, "GET", f"{image}?token=not-{artwork.token}")
    direct = ask(site, "GET", f"/_private/{artwork.name}")
    # A client's own X-Accel-Redirect is only a request header: no effect.
    forged = ask(site, "GET", image, headers={"X-Accel-Redirect": "/_private/"})
    site.close()

    status, headers, body = allowed
    assert status == 200
    assert body == artwork.image.read_bytes()
    assert body.startswith(b"\xff\xd8")
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "private, no-store"
    assert headers["Content-Disposition"] == (
        f'inline; filename="artwork-{artwork.pk}-display.jpg"'
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "X-Accel-Redirect" not in headers
    for refused in (no_token, wrong_token, direct, forged):
        assert refused[0] == 404
        assert b"\xff\xd8\xff" not in refused[2]
    # The picture did not pass through gunicorn: it answered with no body.
    wait_until(lambda: "display.jpg" in behind_nginx.app_log.read_text())
    assert re.search(
        r'"GET /artworks/\d+/display\.jpg\S* HTTP/1\.[01]" 200 0 ',
        behind_nginx.app_log.read_text(),
    )


def test_nginx_sends_the_placeholder_for_a_private_picture_that_is_gone(behind_nginx):
    artwork = behind_nginx.artwork
    artwork.image.unlink()
    site = Tls(behind_nginx.https_port)

    status, headers, body = ask(
        site, "GET", f"/artworks/{artwork.pk}/display.jpg?token={artwork.token}"
    )
    site.close()

    assert status == 404
    assert body == (BASE_DIR / "static/img/picture-missing.svg").read_bytes()
    assert headers["Content-Type"] == "image/svg+xml"
