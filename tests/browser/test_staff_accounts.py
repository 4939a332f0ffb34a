"""Staff accounts in a real browser: Alice turns on two-factor authentication
and logs in with a backup code; Maya resets a forgotten password by email.
(A browser sends Origin headers the test client does not: these catch a
page whose own headers would make its form fail Django's CSRF check.)"""

import base64
import re

import pytest
from django.core import mail
from django_otp.oath import TOTP

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def log_in(page, base, username, password, code=""):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    if code:
        page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Log in").click()


def test_alice_turns_on_two_factor_and_logs_in_with_a_backup_code(live_server, page, alice):
    base = live_server.url
    log_in(page, base, "alice", PASSWORD)
    page.get_by_role("link", name="Two-factor authentication").click()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    secret = page.locator(".secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    code = f"{TOTP(key).token():06d}"
    page.get_by_label("Code from your app").fill(code)
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    page.get_by_role("heading", name="Your backup codes").wait_for()
    codes = page.locator(".backup-codes li").all_inner_texts()
    assert len(codes) == 10

    page.get_by_role("button", name="Log out").click()
    log_in(page, base, "alice", PASSWORD)  # no code: refused
    assert page.locator(".errornote").first.is_visible()
    assert "/admin/login/" in page.url
    log_in(page, base, "alice", PASSWORD, code=codes[0])
    page.get_by_role("heading", name="Pipeline").wait_for()


def test_maya_resets_her_forgotten_password_by_email(live_server, page, groups):
    factories.UserFactory(username="maya", email="maya@storyline.example", is_staff=True)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill("maya@storyline.example")
    page.get_by_role("button", name="Reset my password").click()
    page.get_by_text("emailed you instructions").wait_for()
    assert len(mail.outbox) == 1
    path = re.search(r"/admin/reset/\S+/", mail.outbox[0].body).group(0)

    page.goto(f"{base}{path}")
    page.get_by_label("New password").fill("a brand new long passphrase 42")
    page.get_by_label("Confirm password").fill("a brand new long passphrase 42")
    page.get_by_role("button", name="Change my password").click()
    page.get_by_text("Your password has been set").wait_for()

    log_in(page, base, "maya", "a brand new long passphrase 42")
    page.get_by_role("heading", name="Pipeline").wait_for()
