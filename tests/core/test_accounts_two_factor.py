"""Two-factor authentication: the staff page that sets it up (QR code, a
code to confirm, backup codes), and STAFF_REQUIRE_2FA for program managers."""

import base64
import re

import pytest
from django.conf import settings as django_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.accounts import two_factor
from core.models import AuditEntry
from tests.core.test_accounts_login import PASSWORD, code_for, login

pytestmark = pytest.mark.django_db
PAGE = "/admin/two-factor/"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    """django-otp makes a device wait 1 s after a wrong code; these tests
    send a right one straight after."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def start(client):
    response = client.post(PAGE, {"action": "start"})
    assert response.status_code == 302
    return TOTPDevice.objects.get(confirmed=False)


def test_it_is_for_staff_only(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_links_to_it_in_the_user_tools(client, bob):
    client.force_login(bob)
    html = client.get("/admin/").content.decode()
    assert f'href="{PAGE}"' in html
    assert "Two-factor authentication" in html


def test_setting_it_up_shows_a_qr_code_and_the_key_then_a_code_confirms(client, alice):
    client.force_login(alice)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "is off" in page.content.decode()
    assert not TOTPDevice.objects.exists()  # GET changes nothing

    device = start(client)
    page = client.get(PAGE)
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    # Works under a Content-Security-Policy without 'unsafe-inline'.
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert not re.search(r"\son[a-z]+=", html)
    assert " style=" not in html
    secret = page.context["secret"]
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    assert secret in html
    assert "otpauth://totp/" in device.config_url
    assert "issuer=Storyline" in device.config_url
    assert page["Cache-Control"].count("no-store") == 1
    assert "noindex" in page["X-Robots-Tag"]

    wrong = client.post(PAGE, {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post(PAGE, {"action": "confirm", "code": code_for(device)})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = done.context["backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    entry = AuditEntry.objects.get(action="core.two_factor.enabled")
    assert entry.actor_user_id == alice.pk
    assert not any(code in str(entry.data) for code in codes)

    again = client.get(PAGE)
    assert "is on" in again.content.decode()
    assert "backup_codes" not in again.context or not again.context["backup_codes"]


def test_a_code_that_is_not_a_code_gets_a_clear_message(client, alice):
    client.force_login(alice)
    start(client)
    response = client.post(PAGE, {"action": "confirm", "code": "hello"})
    assert response.status_code == 400
    assert "6-digit code" in response.content.decode()


def test_an_unknown_action_is_a_400(client, alice):
    client.force_login(alice)
    assert client.post(PAGE, {"action": "explode"}).status_code == 400


def test_starting_again_replaces_the_unconfirmed_key(client, alice):
    client.force_login(alice)
    first = start(client)
    second = start(client)
    assert first.pk != second.pk
    assert TOTPDevice.objects.count() == 1


@pytest.fixture
def enabled(client, alice):
    """Alice with two-factor on (through the page) and a verified session."""
    client.force_login(alice)
    device = start(client)
    response = client.post(PAGE, {"action": "confirm", "code": code_for(device)})
    device.refresh_from_db()
    return device, response.context["backup_codes"]


def test_it_cannot_be_set_up_twice(client, enabled):
    response = client.post(PAGE, {"action": "start"}, follow=True)
    assert "already on" in response.content.decode()
    assert TOTPDevice.objects.count() == 1


def test_new_backup_codes_replace_the_old_ones(client, enabled):
    _device, old = enabled
    response = client.post(PAGE, {"action": "codes", "code": old[0]})
    assert response.status_code == 200
    new = response.context["backup_codes"]
    assert set(new).isdisjoint(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_turning_it_off_needs_a_code(client, enabled, alice):
    _device, codes = enabled
    refused = client.post(PAGE, {"action": "disable", "code": "000000"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=alice).exists()
    response = client.post(PAGE, {"action": "disable", "code": codes[1]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    assert AuditEntry.objects.filter(action="core.two_factor.disabled").count() == 1
    assert login(client, "alice", PASSWORD).status_code == 302  # no code needed any more


def test_program_managers_cannot_turn_it_off_when_it_is_required(client, enabled, settings):
    settings.STAFF_REQUIRE_2FA = True
    _device, codes = enabled
    response = client.post(PAGE, {"action": "disable", "code": codes[0]})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(confirmed=True).exists()


# --------------------------------------------------------------------------
# STAFF_REQUIRE_2FA
# --------------------------------------------------------------------------


def test_by_default_two_factor_is_optional(client, alice):
    assert django_settings.STAFF_REQUIRE_2FA is False
    client.force_login(alice)
    assert client.get("/admin/").status_code == 200
    assert client.get("/sales/").status_code == 200


def test_when_required_a_program_manager_is_sent_to_set_it_up(client, alice, settings):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(alice)
    for path in (
        "/admin/",
        "/admin/casestudies/casestudy/",
        "/sales/",
        "/admin/analytics/dashboard/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{PAGE}?next="), path
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "must use two-factor authentication" in page.content.decode()
    # Logging out still works.
    assert client.post("/admin/logout/").status_code == 200


def test_when_required_setting_it_up_opens_the_staff_pages(client, alice, settings):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(alice)
    device = start(client)
    response = client.post(PAGE, {"action": "confirm", "code": code_for(device), "next": "/sales/"})
    assert response.status_code == 200
    assert 'href="/sales/"' in response.content.decode()  # "Continue"
    assert client.get("/admin/").status_code == 200
    assert client.get("/sales/").status_code == 200


def test_when_required_an_unverified_session_is_asked_for_a_code(client, alice, settings):
    """Two-factor on, but this session never gave a code (e.g. logged in
    before it was required): a code verifies it."""
    settings.STAFF_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    client.force_login(alice)
    assert client.get("/admin/").status_code == 302
    page = client.get(PAGE)
    assert "Verify this session" in page.content.decode()
    response = client.post(PAGE, {"action": "verify", "code": code_for(device)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_when_required_a_login_with_a_code_goes_straight_through(client, alice, settings):
    settings.STAFF_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    response = login(client, "alice", PASSWORD, code=code_for(device))
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_when_required_sales_reps_are_not_affected(client, bob, settings):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(bob)
    assert client.get("/sales/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_when_required_public_pages_are_not_affected(client, alice, settings, story_at):
    settings.STAFF_REQUIRE_2FA = True
    story = story_at("published")
    client.force_login(alice)
    assert client.get(story.get_absolute_url()).status_code == 200


def test_the_middlewares_are_in_the_right_order():
    order = django_settings.MIDDLEWARE
    auth = order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    otp = order.index("django_otp.middleware.OTPMiddleware")
    required = order.index("core.accounts.middleware.RequireTwoFactorMiddleware")
    assert order.index("django.contrib.sessions.middleware.SessionMiddleware") < auth
    assert auth < otp < required
    assert order[-1] == "axes.middleware.AxesMiddleware"
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_qr_code_is_inline_svg_without_scripts():
    svg = two_factor.qr_svg("otpauth://totp/Storyline:alice?secret=ABC", label="QR")
    assert svg.startswith("<svg")
    assert "<script" not in svg and "style=" not in svg and "href" not in svg
    assert 'aria-label="QR"' in svg
