"""Single sign-on for staff (core/accounts/sso.py, backends.py), end to end
against a real OpenID provider: django-oauth-toolkit in a second Django
process (tests/sso_provider), Storyline on pytest-django's live server, the
person an httpx client that follows the redirects and fills in the
provider's login and consent forms."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.test import RequestFactory

from core.accounts import sso
from core.models import AuditEntry, SSOIdentity
from core.roles import INTERNAL_REVIEWERS, PROGRAM_MANAGERS, SALES, ensure_groups
from tests.htmlforms import submit
from tests.processes import ROOT, free_port, wait_until

CLIENT_ID = "storyline-test-client"
CLIENT_SECRET = "storyline-test-client-secret-0123456789"
GROUP_MAP = (
    f"storyline-pm:{PROGRAM_MANAGERS},storyline-sales:{SALES},storyline-review:{INTERNAL_REVIEWERS}"
)
PEOPLE = [
    {"username": "pat", "password": "pat-pass-1", "email": "pat@example.com",
     "first_name": "Pat", "last_name": "Manager", "groups": ["storyline-pm", "staff"]},
    {"username": "sam", "password": "sam-pass-1", "email": "sam@example.com",
     "first_name": "Sam", "groups": ["storyline-sales", "storyline-review"]},
    {"username": "olga", "password": "olga-pass-1", "email": "olga@example.com",
     "groups": ["staff"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The OpenID provider's address (http://127.0.0.1:port), its issuer
    fixed to …/o."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    folder = tmp_path_factory.mktemp("sso-provider")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso_provider.settings",
        "SSO_PROVIDER_DB": str(folder / "provider.sqlite3"),
        "SSO_PROVIDER_RSA_KEY": pem,
        "SSO_PROVIDER_ISSUER": f"{base}/o",
        "SSO_PROVIDER_PEOPLE": json.dumps(PEOPLE),
        "SSO_CLIENT_ID": CLIENT_ID,
        "SSO_CLIENT_SECRET": CLIENT_SECRET,
        "SSO_REDIRECT_URI": f"{live_server.url}/admin/sso/callback/",
        "SSO_POST_LOGOUT_URI": f"{live_server.url}/admin/login/",
    }
    subprocess.run(
        [sys.executable, "-m", "tests.sso_provider.bootstrap"], env=env, cwd=ROOT, check=True
    )
    log = (folder / "provider.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        discovery = f"{base}/o/.well-known/openid-configuration"
        assert wait_until(lambda: httpx.get(discovery).status_code == 200, timeout=60), (
            folder / "provider.log"
        ).read_text()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture
def sso_on(settings, provider, live_server):
    ensure_groups()
    sso.forget_discovery()
    settings.OIDC_ISSUER = f"{provider}/o"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_GROUP_MAP = GROUP_MAP
    settings.OIDC_GROUPS_CLAIM = "groups"
    yield live_server.url
    sso.forget_discovery()


@pytest.fixture
def person():
    with httpx.Client(follow_redirects=True, timeout=30) as client:
        yield client


def sso_login(client: httpx.Client, storyline: str, username: str, password: str):
    """The login page's SSO button → the provider's login form → its consent
    form → back at Storyline; returns the last response."""
    page = client.get(f"{storyline}/admin/login/?next=/admin/")
    assert "Sign in with SSO" in page.text
    response = client.get(f"{storyline}/admin/sso/login/?next=/admin/")
    if response.status_code != 200 or "Test provider login" not in response.text:
        return response
    response = submit(
        client,
        str(response.url),
        response.text,
        containing="username",
        data={"username": username, "password": password},
    )
    if "allow" in response.text:  # the consent form
        response = submit(
            client, str(response.url), response.text, containing="allow", button="allow"
        )
    return response


@pytest.mark.provider
def test_login_round_trip_lands_a_program_manager_in_her_group(sso_on, person, settings):
    response = sso_login(person, sso_on, "pat", "pat-pass-1")

    assert response.status_code == 200
    assert urlsplit(str(response.url)).path == "/admin/"
    user = User.objects.get(email="pat@example.com")
    assert user.is_staff and not user.is_superuser
    assert (user.first_name, user.last_name, user.username) == ("Pat", "Manager", "pat")
    assert list(user.groups.values_list("name", flat=True)) == [PROGRAM_MANAGERS]
    assert not user.has_usable_password()
    identity = SSOIdentity.objects.get(user=user)
    assert identity.created_by_sso and identity.issuer == settings.OIDC_ISSUER
    assert AuditEntry.objects.filter(action="core.user.created_by_sso").count() == 1
    # Logged in: the program's pages open, the id token never shows on them.
    pipeline = person.get(f"{sso_on}/admin/")
    assert pipeline.status_code == 200 and "pat" in pipeline.text
    assert 'action="/admin/logout/"' in pipeline.text


@pytest.mark.provider
def test_groups_are_mapped_and_follow_the_provider(sso_on, person):
    ensure_groups()
    # Someone already on staff with a password: linked by email, keeps it.
    existing = User.objects.create_user("sam.local", email="SAM@example.com", password="pw-1")
    existing.is_staff = True
    existing.save()

    response = sso_login(person, sso_on, "sam", "sam-pass-1")

    assert urlsplit(str(response.url)).path == "/admin/"
    existing.refresh_from_db()
    assert existing.email == "sam@example.com"
    assert sorted(existing.groups.values_list("name", flat=True)) == [INTERNAL_REVIEWERS, SALES]
    assert not SSOIdentity.objects.get(user=existing).created_by_sso
    assert authenticate(RequestFactory().post("/"), username="sam.local", password="pw-1")

    # Given here by hand: a mapped group the provider does not give goes at the
    # next login; a group outside the map stays.
    from django.contrib.auth.models import Group

    existing.groups.add(Group.objects.get(name=PROGRAM_MANAGERS))
    existing.groups.add(Group.objects.create(name="Newsletter editors"))
    with httpx.Client(follow_redirects=True, timeout=30) as again:
        sso_login(again, sso_on, "sam", "sam-pass-1")
    assert sorted(existing.groups.values_list("name", flat=True)) == [
        INTERNAL_REVIEWERS,
        "Newsletter editors",
        SALES,
    ]
    assert User.objects.filter(email__iexact="sam@example.com").count() == 1


@pytest.mark.provider
def test_a_person_in_no_mapped_group_is_refused_with_a_message(sso_on, person):
    response = sso_login(person, sso_on, "olga", "olga-pass-1")

    assert response.status_code == 403
    assert "not in any group that may use Storyline" in response.text
    assert not User.objects.filter(email="olga@example.com").exists()
    assert person.get(f"{sso_on}/admin/").url.path == "/admin/login/"


@pytest.mark.provider
def test_a_deactivated_account_stays_out(sso_on, person):
    gone = User.objects.create_user("pat.old", email="pat@example.com", is_active=False)

    response = sso_login(person, sso_on, "pat", "pat-pass-1")

    assert response.status_code == 403
    assert "deactivated" in response.text
    gone.refresh_from_db()
    assert not gone.is_active and not gone.groups.exists()
    assert not SSOIdentity.objects.exists()


@pytest.mark.provider
def test_a_discovery_document_from_another_issuer_is_refused(sso_on, person, settings, provider):
    # Same server under another name: its document says the issuer is 127.0.0.1's.
    settings.OIDC_ISSUER = provider.replace("127.0.0.1", "localhost") + "/o"

    response = person.get(f"{sso_on}/admin/sso/login/")

    assert response.status_code == 403
    assert "does not trust" in response.text
    assert urlsplit(str(response.url)).netloc == urlsplit(sso_on).netloc


@pytest.mark.provider
def test_a_token_from_another_issuer_is_refused(sso_on, person, settings, provider):
    # The endpoints set explicitly (no discovery), the issuer we trust is another.
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider}/o/.well-known/jwks.json"

    response = sso_login(person, sso_on, "pat", "pat-pass-1")

    assert response.status_code == 403
    assert "does not trust" in response.text
    assert not User.objects.filter(email="pat@example.com").exists()


@pytest.mark.provider
def test_logout_ends_the_session_at_the_provider_too(sso_on, person):
    response = sso_login(person, sso_on, "pat", "pat-pass-1")
    assert urlsplit(str(response.url)).path == "/admin/"

    response = submit(person, str(response.url), response.text, action="/admin/logout/")

    # Through the provider's end_session_endpoint and back to the login page.
    assert [urlsplit(str(r.url)).path for r in response.history][-1] == "/o/logout/"
    assert urlsplit(str(response.url)).path == "/admin/login/"
    assert person.get(f"{sso_on}/admin/").url.path == "/admin/login/"
    # Signing in again asks for the provider's password again.
    again = person.get(f"{sso_on}/admin/sso/login/")
    assert "Test provider login" in again.text


# --------------------------------------------------------------------------
# Without a provider
# --------------------------------------------------------------------------


def test_off_by_default_nothing_changes(client, settings, db):
    assert settings.OIDC_ISSUER == ""
    page = client.get("/admin/login/")
    assert page.status_code == 200 and "Sign in with SSO" not in page.content.decode()
    assert client.get("/admin/sso/login/").status_code == 404
    assert client.get("/admin/sso/callback/?code=x&state=y").status_code == 404


def test_a_provider_that_cannot_be_reached_gets_a_clear_page(client, settings, db):
    sso.forget_discovery()
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/o"
    settings.OIDC_TIMEOUT = 2

    response = client.get("/admin/sso/login/")

    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()
    # A callback that no login of this browser started: refused, not an error.
    response = client.get("/admin/sso/callback/?code=x&state=y")
    assert response.status_code == 403
    assert "did not succeed" in response.content.decode()
    sso.forget_discovery()


def test_the_group_map_setting(settings):
    settings.OIDC_GROUP_MAP = "storyline-pm:Program managers, urn:corp:sales :Sales,broken,"
    assert sso.group_map() == {"storyline-pm": "Program managers", "urn:corp:sales": "Sales"}
    settings.OIDC_GROUPS_CLAIM = "hd"
    settings.OIDC_GROUP_MAP = "example.com:Sales"
    assert sso.claimed_groups({"hd": "example.com"}) == {"Sales"}
    assert sso.claimed_groups({"hd": "other.com"}) == set()
    assert sso.claimed_groups({"hd": {"example.com": 1}}) == set()


@pytest.mark.parametrize("disabled", [True, False])
def test_accounts_made_by_sso_log_in_with_no_password(client, settings, db, disabled):
    settings.OIDC_DISABLE_PASSWORD_FOR_SSO_USERS = disabled
    user = User.objects.create_user(
        "sso-made", email="m@example.com", password="pw-123456", is_staff=True
    )
    SSOIdentity.objects.create(user=user, issuer="https://idp", subject="1", created_by_sso=True)

    response = client.post("/admin/login/", {"username": "sso-made", "password": "pw-123456"})

    if disabled:
        assert response.status_code == 200
        assert "signs in with single sign-on" in response.content.decode()
        assert "_auth_user_id" not in client.session
    else:
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_when_on_the_login_page_offers_sso_keeping_the_next_page(client, settings, db):
    settings.OIDC_ISSUER = "https://idp.example.com"
    page = client.get("/admin/login/?next=/sales/%3Fa%3D1%26b%3D2").content.decode()
    assert "Sign in with SSO" in page
    assert 'href="/admin/sso/login/?next=/sales/%3Fa%3D1%26b%3D2"' in page

    client.cookies.load({"django_language": "id"})
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Masuk dengan SSO" in page


def test_program_managers_see_who_logs_in_by_sso_and_sales_do_not(client, alice, bob):
    SSOIdentity.objects.create(user=bob, issuer="https://idp", subject="b-1", created_by_sso=True)
    client.force_login(bob)
    assert client.get("/admin/core/ssoidentity/").status_code == 403
    client.force_login(alice)
    page = client.get("/admin/core/ssoidentity/")
    assert page.status_code == 200 and "b-1" in page.content.decode()


def test_the_system_check_names_settings_sso_cannot_work_with(settings):
    assert sso.check_settings() == []  # off
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.OIDC_RP_CLIENT_ID = ""
    settings.OIDC_GROUP_MAP = "pm:Program managers,x:Marketing"
    assert [w.id for w in sso.check_settings()] == ["storyline.sso.W001", "storyline.sso.W003"]
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "id", "secret"
    settings.OIDC_GROUP_MAP = ""
    assert [w.id for w in sso.check_settings()] == ["storyline.sso.W002"]
