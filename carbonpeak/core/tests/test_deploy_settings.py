"""Production settings from the environment: the deploy check, HTTPS behind a reverse proxy, the secret key,
the home folder, and CLI commands before the database exists."""
from __future__ import annotations

from pathlib import Path

import pytest

from carbonpeak.core.tests.cli import carbonpeak

REPO = Path(__file__).resolve().parents[3]
HOST = "carbonpeak.example.gov.cn"
PRODUCTION_ENV = {  # as docs/deployment.md sets them
    "HTTPS": "true",
    "TRUST_X_FORWARDED_PROTO": "true",
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
}


def test_the_deploy_check_passes_with_the_documented_production_settings(tmp_path):
    done = carbonpeak("check", "--deploy", "--fail-level", "WARNING", home=tmp_path, **PRODUCTION_ENV)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_the_deploy_check_warns_without_https(tmp_path):
    done = carbonpeak("check", "--deploy", "--fail-level", "WARNING", home=tmp_path, ALLOWED_HOSTS=HOST)
    assert done.returncode != 0
    assert "security.W004" in done.stderr and "security.W012" in done.stderr


def test_the_secret_key_is_generated_once_private_and_kept(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = carbonpeak("shell", "--no-imports", "-c", code, home=tmp_path)
    second = carbonpeak("shell", "--no-imports", "-c", code, home=tmp_path)
    key_file = tmp_path / "secret_key"
    assert first.stdout == second.stdout == key_file.read_text().strip() + "\n"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "insecure" not in first.stdout and len(first.stdout.strip()) >= 50


def test_the_default_home_is_the_checkouts_var_whatever_the_working_directory(tmp_path, monkeypatch):
    from carbonpeak.settings import _default_home

    monkeypatch.chdir(tmp_path)
    assert _default_home() == REPO / "var"


@pytest.mark.parametrize("command", [["users"], ["meters", "alerts"], ["scenario", "list"], ["demo"]])
def test_a_command_before_the_database_exists_says_what_to_do(tmp_path, command):
    done = carbonpeak(*command, home=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "is not set up" in done.stderr and "carbonpeak up --no-serve" in done.stderr


def test_a_command_with_an_unreachable_database_says_so(tmp_path):
    done = carbonpeak("users", home=tmp_path, DATABASE_URL="postgres://nobody:wrong@127.0.0.1:1/carbonpeak")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot reach the postgresql database" in done.stderr


@pytest.fixture
def https_proxy(settings):
    settings.ALLOWED_HOSTS = [HOST]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


def proxied_login(client, password: str):
    """The login form posted as a browser does through an HTTPS reverse proxy (which speaks plain http to us)."""
    https = {"HTTP_HOST": HOST, "HTTP_X_FORWARDED_PROTO": "https"}
    client.get("/accounts/login/", **https)
    return client.post("/accounts/login/", {"username": "clerk", "password": password,
                                            "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                       HTTP_ORIGIN=f"https://{HOST}", **https)


@pytest.mark.django_db
def test_a_login_behind_an_https_proxy_works_when_the_proxy_header_is_trusted(https_proxy, settings,
                                                                               django_user_model):
    from django.test import Client

    django_user_model.objects.create_user("clerk", password="a-long-enough-password")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = proxied_login(Client(enforce_csrf_checks=True), "a-long-enough-password")
    assert response.status_code == 302 and response.cookies["sessionid"]["secure"]


@pytest.mark.django_db
def test_a_login_behind_an_https_proxy_is_refused_when_the_header_is_not_trusted(https_proxy, django_user_model):
    from django.test import Client

    django_user_model.objects.create_user("clerk", password="a-long-enough-password")
    response = proxied_login(Client(enforce_csrf_checks=True), "a-long-enough-password")
    assert response.status_code == 403  # CSRF: the browser's https Origin does not match a plain-http request


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_with_a_fresh_nonce(client, qingpu_plan):
    first, second = client.get("/"), client.get("/")
    policies = [r.headers["Content-Security-Policy"] for r in (first, second)]
    assert "script-src 'self' 'nonce-" in policies[0] and "object-src 'none'" in policies[0]
    assert policies[0] != policies[1]
    nonce = policies[0].split("'nonce-")[1].split("'")[0]
    assert f'"inlineScriptNonce": "{nonce}"' in first.content.decode()


def test_a_production_start_makes_no_account_and_says_how_to_create_the_first_admin(tmp_path):
    done = carbonpeak("up", "--no-demo", "--no-serve", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "carbonpeak users --add NAME --unit 区发改委 --role admin" in done.stdout
    listed = carbonpeak("users", home=tmp_path)
    assert listed.returncode == 0 and listed.stdout.strip() == ""
