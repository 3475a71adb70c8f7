"""Sign-in behind a proxy that ends TLS (issue 16, item 6): a real nginx (Debian's, `make proxy`) in front of
the live server, with a certificate the test makes, and the proxy headers of the shipped docs/nginx.conf."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import ipaddress
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from gridgov.testing import PASSWORD

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DOCS_CONF = Path(settings.PROJECT_DIR) / "docs" / "nginx.conf"
PROXIED = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}

pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK), reason="nginx missing: run `make proxy`")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, made now (cryptography), valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _docs_proxy_headers() -> list[str]:
    """The proxy_set_header lines of docs/nginx.conf's `location /`: the test runs what the docs ship."""
    text = DOCS_CONF.read_text()
    block = text[text.index("location / {"):]
    block = block[:block.index("}")]
    return [line.strip() for line in block.splitlines() if line.strip().startswith("proxy_set_header")]


@dataclass
class Proxy:
    https: str  # https://localhost:PORT
    http: str  # http://localhost:PORT, plain, for the forged-header test
    cafile: Path


@pytest.fixture
def proxy(site: str, tmp_path: Path) -> Iterator[Proxy]:
    cert, key = _self_signed(tmp_path)
    tls_port, plain_port = _free_port(), _free_port()
    upstream = urllib.parse.urlsplit(site).netloc
    headers = "\n            ".join(_docs_proxy_headers())
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / sub).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"""
master_process off;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        listen 127.0.0.1:{plain_port};
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://{upstream};
            {headers}
        }}
    }}
}}
""")
    proc = subprocess.Popen([NGINX, "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", tls_port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    log = (tmp_path / "error.log").read_text() if (tmp_path / "error.log").exists() else ""
                    pytest.fail(f"nginx did not start: {err} {log}")
                time.sleep(0.05)
        yield Proxy(f"https://localhost:{tls_port}", f"http://localhost:{plain_port}", cert)
    finally:
        proc.terminate()
        proc.wait(10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the test looks at each redirect itself
        return None


class Browser:
    """What a browser does on a form: keeps cookies, sends the page's Origin with a POST, trusts one CA."""

    def __init__(self, proxy: Proxy) -> None:
        self.jar = http.cookiejar.CookieJar()
        context = ssl.create_default_context(cafile=str(proxy.cafile))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  urllib.request.HTTPSHandler(context=context), _NoRedirect)

    def request(self, url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers=headers or {})
        if body is not None:
            parts = urllib.parse.urlsplit(url)
            req.add_header("Origin", f"{parts.scheme}://{parts.netloc}")
            req.add_header("Referer", url)
        try:
            with self.opener.open(req, timeout=20) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    def sign_in(self, base: str, username: str, password: str) -> tuple[int, dict, str]:
        status, _, page = self.request(f"{base}/login/")
        assert status == 200, page[:300]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(f"{base}/login/", {"csrfmiddlewaretoken": token, "username": username,
                                               "password": password})

    def cookie(self, name: str) -> http.cookiejar.Cookie | None:
        return next((c for c in self.jar if c.name == name), None)


@override_settings(**PROXIED)
def test_it_signs_the_grid_worker_in_over_https_through_nginx(proxy):
    browser = Browser(proxy)
    status, headers, _ = browser.sign_in(proxy.https, "worker_a", PASSWORD)
    assert status == 302 and headers["Location"] == "/"
    status, _, _ = browser.request(f"{proxy.https}/")
    assert status == 200  # the home page: signed in (else 302 to /login/)


@override_settings(SECURE_PROXY_SSL_HEADER=None)
def test_without_the_proxy_setting_the_sign_in_through_tls_is_refused_by_csrf(proxy):
    # What the issue found: Django sees http, the browser's Origin says https.
    status, _, _ = Browser(proxy).sign_in(proxy.https, "worker_a", PASSWORD)
    assert status == 403


@override_settings(**PROXIED, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_it_marks_the_session_cookie_secure_behind_the_proxy(proxy):
    browser = Browser(proxy)
    browser.sign_in(proxy.https, "worker_a", PASSWORD)
    assert browser.cookie("sessionid") is not None and browser.cookie("sessionid").secure


def _endpoint(browser: Browser, url: str, **headers: str) -> str:
    """The GeoReport endpoint the Open311 discovery file names: built from the scheme Django believes in."""
    status, _, body = browser.request(url, headers=headers)
    assert status == 200, body[:300]
    return json.loads(body)["endpoints"][0]["url"]


@override_settings(**PROXIED, GRIDGOV_SITE_URL="")
def test_the_app_knows_the_request_came_over_https(proxy):
    assert _endpoint(Browser(proxy), f"{proxy.https}/open311/v2/discovery.json").startswith("https://")


@override_settings(**PROXIED, GRIDGOV_SITE_URL="")
def test_a_client_forging_x_forwarded_proto_over_plain_http_is_not_taken_for_https(proxy):
    # nginx overwrites the header with the scheme the client really used: plain http cannot pass for TLS (and,
    # say, be handed what is meant only for an encrypted connection).
    url = _endpoint(Browser(proxy), f"{proxy.http}/open311/v2/discovery.json", **{"X-Forwarded-Proto": "https"})
    assert url.startswith("http://")


def test_the_settings_read_the_proxy_from_the_environment():
    env = {**os.environ, "GRIDGOV_PROXY_SSL_HEADER": "X-Forwarded-Proto",
           "GRIDGOV_CSRF_TRUSTED_ORIGINS": "https://a.example.cn, https://b.example.cn",
           "GRIDGOV_SITE_URL": "https://gridgov.example.cn/town/", "GRIDGOV_USE_X_FORWARDED_HOST": "1"}
    out = subprocess.run([sys.executable, "-c", "from gridgov import settings as s; print(s.SECURE_PROXY_SSL_HEADER,"
                          " s.CSRF_TRUSTED_ORIGINS, s.USE_X_FORWARDED_HOST)"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == ("('HTTP_X_FORWARDED_PROTO', 'https') ['https://a.example.cn', 'https://b.example.cn', "
                           "'https://gridgov.example.cn'] True")
