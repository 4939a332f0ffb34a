"""Password reset by email from the admin's login page: the whole round trip,
no account enumeration, the token page's private headers."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail

from tests import factories
from tests.core.test_accounts_login import PASSWORD, logged_in, login

pytestmark = pytest.mark.django_db
RESET = "/admin/password_reset/"
NEW_PASSWORD = "a brand new long passphrase 42"


@pytest.fixture
def maya(groups):
    return factories.UserFactory(username="maya", email="maya@storyline.example", is_staff=True)


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/admin/reset/[^\s\"<]+/)", message.body)
    assert match, message.body
    return match.group(1)


def assert_private(response, *, token_in_address=True):
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    if token_in_address:
        assert response["Referrer-Policy"] == "no-referrer"
    else:
        # Under no-referrer browsers would send "Origin: null" with the form
        # and Django's CSRF check would refuse it; this address holds no token.
        assert response["Referrer-Policy"] == "same-origin"
        assert "set-password" in response.wsgi_request.path


def test_the_login_page_links_to_the_reset(client, db):
    html = client.get("/admin/login/").content.decode()
    assert f'href="{RESET}"' in html
    assert "Forgotten your password?" in html
    page = client.get(RESET)
    assert page.status_code == 200
    assert 'id="site-name"' in page.content.decode()  # the admin's look


def test_the_whole_round_trip(client, maya, settings):
    response = client.post(RESET, {"email": "Maya@Storyline.example"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maya@storyline.example"]
    assert "Reset your Storyline password" in message.subject
    assert message.alternatives  # text and HTML
    assert f"{settings.SITE_URL}/admin/reset/" in message.body

    opened = client.get(link_in(message))
    assert opened.status_code == 302  # Django moves the token out of the address
    assert_private(opened)
    form_page = client.get(opened["Location"])
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    assert_private(form_page, token_in_address=False)

    done = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/admin/reset/done/"
    assert not logged_in(client)  # a reset does not log in (the second factor still applies)

    assert login(client, "maya", PASSWORD).status_code == 200  # the old one is gone
    assert login(client, "maya", NEW_PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_link_works_once(client, maya):
    client.post(RESET, {"email": "maya@storyline.example"})
    link = link_in(mail.outbox[0])
    opened = client.get(link)
    client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = client.get(link)
    assert again.status_code == 200
    assert not again.context["validlink"]
    assert_private(again)


def test_an_unknown_address_gets_the_same_page_and_no_email(client, maya):
    known = client.post(RESET, {"email": "maya@storyline.example"})
    unknown = client.post(RESET, {"email": "nobody@storyline.example"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
    done = client.get(unknown["Location"])
    assert done.status_code == 200
    assert "if an account exists" in done.content.decode()


def test_accounts_that_are_not_staff_get_no_email(client, db):
    factories.UserFactory(username="ex", email="ex@storyline.example", is_staff=False)
    factories.UserFactory(
        username="gone", email="gone@storyline.example", is_staff=True, is_active=False
    )
    for email in ("ex@storyline.example", "gone@storyline.example"):
        assert client.post(RESET, {"email": email}).status_code == 302
    assert not mail.outbox


def test_a_tampered_link_is_refused_with_a_clear_page(client, maya):
    response = client.get("/admin/reset/MQ/abc-0123456789abcdef/")
    assert response.status_code == 200
    assert not response.context["validlink"]
    assert "invalid" in response.content.decode()
    assert_private(response)


def test_a_new_password_lifts_the_lockout_of_the_account(client, maya):
    for i in range(10):
        login(client, "maya", f"wrong-{i}", ip=f"198.51.100.{i}")
    assert login(client, "maya", PASSWORD).status_code == 429
    client.post(RESET, {"email": "maya@storyline.example"})
    opened = client.get(link_in(mail.outbox[0]))
    client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not AccessAttempt.objects.filter(username="maya").exists()
    assert login(client, "maya", NEW_PASSWORD).status_code == 302


def test_the_email_is_in_the_readers_language(client, maya):
    client.post(RESET, {"email": "maya@storyline.example"}, HTTP_ACCEPT_LANGUAGE="id")
    message = mail.outbox[0]
    assert "sandi" in message.subject.lower()
    assert "/admin/reset/" in message.body
