"""Every page opened by a secret in its address sends no Referer, is never
cached and never indexed, whatever it answers (the neutral page included)."""

import re
import secrets

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"<(?:str:)?(token|code)>")


def _routes(resolver, prefix=""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback


def secret_routes():
    return [(route, view) for route, view in _routes(get_resolver()) if SECRET.search(route)]


def test_every_tokenized_route_answers_with_the_private_headers(client):
    """Walks the URLconf: a new route with a token or code in its address
    fails here until its answers carry the headers (``@secret_page``)."""
    routes = secret_routes()
    assert {r.split("/")[0] for r, _v in routes} >= {"review", "recruitment", "preferences"}
    for route, _view in routes:
        path = "/" + SECRET.sub(secrets.token_urlsafe(32), route)
        path = re.sub(r"<(?:\w+:)?\w+>", "MQ", path)
        response = client.get(path)
        assert response["Referrer-Policy"] == "no-referrer", route
        assert "no-store" in response["Cache-Control"], route
        assert "noindex" in response["X-Robots-Tag"], route


@pytest.mark.parametrize(
    "path",
    [
        "/review/{t}/",
        "/review/{t}/code/",
        "/recruitment/respond/{t}/",
        "/preferences/{t}/",
        "/unsubscribe/{t}/",
        "/s/{t}/",
    ],
)
def test_a_wrong_secret_gets_the_private_headers(client, path):
    response = client.get(path.format(t=secrets.token_urlsafe(32)))
    assert response.status_code in (404, 405)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_outreach_answer_page_sends_the_private_headers(client, alice, story_at):
    from django.core import mail

    from recruitment import services
    from tests import factories
    from tests.conftest import deliver_outbox

    cs = story_at("candidate")
    contact = factories.ContactFactory(customer=cs.customer, email="mei@harbor.example")
    services.outreach_send(
        case_study=cs,
        contact=contact,
        subject="Your story",
        body="About 3 hours over 4-6 weeks.",
        language="en",
        actor=alice,
    )
    deliver_outbox()
    token = re.search(r"/recruitment/respond/([^/\s]+)/", mail.outbox[-1].body).group(1)
    response = client.get(f"/recruitment/respond/{token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
