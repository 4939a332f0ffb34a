"""The staff login (admin and sales portal): django-axes locks out an account
or an address after repeated failures; an account with two-factor
authentication needs a right code (core/accounts/forms.py)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"
HOME = "203.0.113.5"


def login(client, username, password, *, code="", ip=HOME, next_url="/admin/"):
    return client.post(
        f"{LOGIN}?next={next_url}",
        {"username": username, "password": password, "otp_token": code, "next": next_url},
        REMOTE_ADDR=ip,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


# --------------------------------------------------------------------------
# Lockout
# --------------------------------------------------------------------------


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, alice):
    codes = [login(client, "alice", f"wrong-{i}").status_code for i in range(30)]
    assert codes[:9] == [200] * 9  # the form again, with its error
    assert set(codes[9:]) == {429}  # the 10th failure locks the account
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert client.get("/admin/").status_code == 302


def test_the_lockout_page_says_what_happened_and_is_private(client, alice):
    for i in range(10):
        response = login(client, "alice", f"wrong-{i}")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    assert "15 minutes" in html
    assert 'href="/admin/password_reset/"' in html
    assert 'id="site-name"' in html  # the admin's page, not a bare text
    assert "no-store" in response["Cache-Control"]
    assert response["Retry-After"] == str(15 * 60)


def test_the_lockout_page_is_in_indonesian_for_an_indonesian_reader(client, alice):
    for i in range(10):
        response = client.post(
            LOGIN,
            {"username": "alice", "password": f"wrong-{i}"},
            REMOTE_ADDR=HOME,
            HTTP_ACCEPT_LANGUAGE="id",
        )
    assert response.status_code == 429
    assert "Terlalu banyak" in response.content.decode()


def test_a_different_account_from_a_locked_address_is_refused(client, alice, bob):
    # Ten failures from one address, each for another name: no account is
    # locked, the address is.
    for i in range(10):
        login(client, f"guess-{i}", "password")
    response = login(client, "bob", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    # The same person from another network is not locked.
    assert login(client, "bob", PASSWORD, ip="198.51.100.9").status_code == 302


def test_a_locked_account_is_refused_from_any_address(client, alice):
    for i in range(10):
        login(client, "alice", f"wrong-{i}", ip=f"198.51.100.{i}")
    assert login(client, "alice", PASSWORD, ip="192.0.2.200").status_code == 429


def test_after_the_cool_off_the_right_password_works(client, alice):
    for i in range(10):
        login(client, "alice", f"wrong-{i}")
    assert login(client, "alice", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert logged_in(client)
    assert not AccessAttempt.objects.filter(username="alice").exists()  # reset on success


def test_a_successful_login_resets_the_count(client, alice):
    for i in range(9):
        login(client, "alice", f"wrong-{i}")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    codes = [login(client, "alice", f"again-{i}").status_code for i in range(9)]
    assert codes == [200] * 9


def test_the_limit_and_cool_off_are_settings(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    codes = [login(client, "alice", f"wrong-{i}").status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_a_forged_forwarded_address_does_not_escape_the_address_lockout(
    client, alice, bob, settings
):
    settings.TRUSTED_PROXIES = 1
    for i in range(10):
        client.post(
            LOGIN,
            {"username": f"guess-{i}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.77",
        )
    response = client.post(
        LOGIN,
        {"username": "bob", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.99, 203.0.113.77",
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.77"}


def test_the_sales_portal_login_is_the_same_guarded_page(client, bob):
    response = client.get("/sales/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=/sales/")
    for i in range(10):
        login(client, "bob", f"wrong-{i}", next_url="/sales/")
    assert login(client, "bob", PASSWORD, next_url="/sales/").status_code == 429
    AccessAttempt.objects.all().delete()
    response = login(client, "bob", PASSWORD, next_url="/sales/")
    assert response.status_code == 302
    assert response["Location"] == "/sales/"


def test_an_attempt_never_stores_the_password_or_code(client, alice):
    TOTPDevice.objects.create(user=alice, name="app", confirmed=True)
    login(client, "alice", "hunter2-secret", code="123456")
    login(client, "alice", PASSWORD, code="654321")
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert stored
    for secret in ("hunter2-secret", PASSWORD, "123456", "654321"):
        assert secret not in stored


# --------------------------------------------------------------------------
# Second factor
# --------------------------------------------------------------------------


@pytest.fixture
def alice_device(alice):
    return TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=True)


def test_the_login_page_has_a_code_field(client, db):
    html = client.get(LOGIN).content.decode()
    assert 'name="otp_token"' in html
    assert 'autocomplete="one-time-code"' in html
    assert "Authentication code" in html


def test_without_two_factor_no_code_is_needed(client, bob):
    assert login(client, "bob", PASSWORD).status_code == 302
    assert logged_in(client)


def test_with_two_factor_a_right_code_logs_in_and_verifies_the_session(client, alice_device):
    response = login(client, "alice", PASSWORD, code=code_for(alice_device))
    assert response.status_code == 302
    assert logged_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == alice_device.persistent_id


def test_with_two_factor_a_wrong_code_is_refused(client, alice_device):
    right = code_for(alice_device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = login(client, "alice", PASSWORD, code=wrong)
    assert response.status_code == 200
    assert not logged_in(client)
    assert "authentication code" in str(response.context["form"].non_field_errors())
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1


def test_with_two_factor_a_missing_code_is_refused(client, alice_device):
    assert login(client, "alice", PASSWORD).status_code == 200
    assert not logged_in(client)


def test_a_wrong_code_looks_like_a_wrong_password(client, alice_device):
    """The page never tells that the password was right."""
    wrong_password = login(client, "alice", "not-it", code="000000")
    wrong_code = login(client, "alice", PASSWORD, code="000000")
    assert (
        wrong_password.context["form"].non_field_errors()
        == wrong_code.context["form"].non_field_errors()
    )


def test_wrong_codes_count_towards_the_lockout(client, alice_device, settings):
    settings.AXES_FAILURE_LIMIT = 3
    codes = [login(client, "alice", PASSWORD, code="000000").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert login(client, "alice", PASSWORD, code=code_for(alice_device)).status_code == 429
    assert not logged_in(client)


def test_a_code_is_good_once(client, alice_device):
    code = code_for(alice_device)
    assert login(client, "alice", PASSWORD, code=code).status_code == 302
    client.logout()
    assert login(client, "alice", PASSWORD, code=code).status_code == 200
    assert not logged_in(client)


def test_a_backup_code_logs_in_once(client, alice_device):
    backup = StaticDevice.objects.create(user=alice_device.user, name="Backup", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd2345")
    assert login(client, "alice", PASSWORD, code="ABCD 2345").status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == backup.persistent_id
    client.logout()
    assert login(client, "alice", PASSWORD, code="abcd2345").status_code == 200
    assert not StaticToken.objects.exists()


def test_an_unconfirmed_device_does_not_ask_for_a_code(client, alice):
    TOTPDevice.objects.create(user=alice, name="half set up", confirmed=False)
    assert login(client, "alice", PASSWORD).status_code == 302


def test_a_non_staff_account_cannot_log_in_even_with_a_code(client, db):
    user = factories.UserFactory(username="dina", is_staff=False)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    assert login(client, "dina", PASSWORD, code=code_for(device)).status_code == 200
    assert not logged_in(client)
