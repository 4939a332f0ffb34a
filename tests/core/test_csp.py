"""Content-Security-Policy: every kind of page sends the enforced policy with
no 'unsafe-inline' for scripts, and no template holds an inline script, an
inline event handler or an inline style (a new one fails here, not in a
visitor's browser)."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from casestudies.models import CaseStudyState
from tests import factories
from tests.approvals.conftest import in_review, start_chain  # noqa: F401 (fixtures)
from tests.core.test_settings import settings_value

pytestmark = pytest.mark.django_db

HEADER = "Content-Security-Policy"


def directives(response, header: str = HEADER) -> dict[str, list[str]]:
    assert header in response, f"no {header} on {response.request['PATH_INFO']}"
    policy = {}
    for part in response[header].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def assert_strict(response) -> None:
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response[HEADER]
    assert "'unsafe-eval'" not in response[HEADER]
    assert "nonce-" not in response[HEADER]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]


def test_the_gallery_and_a_story_page_send_the_policy(client, story_at):
    cs = story_at(CaseStudyState.PUBLISHED)
    for url in ("/case-studies/", cs.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict(response)
        # A cached copy (the second anonymous visit) carries it too.
        assert_strict(client.get(url))
    # JSON-LD is a data block, not a script: it stays.
    assert b'<script type="application/ld+json">' in client.get(cs.get_absolute_url()).content


def test_the_review_page_sends_the_policy(client, in_review, start_chain):  # noqa: F811
    _request, tokens = start_chain(in_review)
    response = client.get(f"/review/{next(iter(tokens.values()))}/")
    assert response.status_code == 200
    assert_strict(response)


def test_the_sales_portal_sends_the_policy(client, bob, story_at):
    story_at(CaseStudyState.PUBLISHED)
    client.force_login(bob)
    response = client.get("/sales/")
    assert response.status_code == 200
    assert_strict(response)


def test_the_admin_index_and_a_change_form_send_the_policy(client, alice, story_at):
    cs = story_at(CaseStudyState.DRAFTING)
    client.force_login(alice)
    for url in ("/admin/", f"/admin/casestudies/casestudy/{cs.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict(response)


def test_the_login_page_and_a_404_send_the_policy(client):
    assert_strict(client.get("/admin/login/"))
    assert_strict(client.get("/case-studies/no-such-story/"))


def test_the_branding_stylesheet_replaces_the_inline_style(client):
    factories.CustomerFactory()  # any data; the branding is the unsaved default
    page = client.get("/case-studies/").content.decode()
    assert "<style" not in page
    href = re.search(r'<link rel="stylesheet" href="(/branding\.css\?v=[0-9a-f]{12})">', page)
    assert href is not None
    response = client.get(href.group(1))
    assert response["Content-Type"].startswith("text/css")
    assert response.content.decode().startswith(":root{--brand:#")
    assert "max-age=86400" in response["Cache-Control"]
    assert "max-age=60" in client.get("/branding.css?v=000000000000")["Cache-Control"]


def test_report_only_mode_sends_the_report_only_header(client):
    code = "(settings.CONTENT_SECURITY_POLICY, settings.CONTENT_SECURITY_POLICY_REPORT_ONLY)"
    enforced, report_only = ast.literal_eval(
        settings_value(code, CSP_REPORT_ONLY="true", CSP_REPORT_URI="https://csp.example/r")
    )
    assert enforced is None
    assert report_only["DIRECTIVES"]["report-uri"] == ["https://csp.example/r"]
    with override_settings(
        CONTENT_SECURITY_POLICY=enforced, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only
    ):
        response = client.get("/admin/login/")
    assert HEADER not in response
    policy = directives(response, f"{HEADER}-Report-Only")
    assert policy["script-src"] == ["'self'"]
    assert policy["report-uri"] == ["https://csp.example/r"]


def test_by_default_the_policy_is_enforced_in_production():
    code = (
        "(settings.CONTENT_SECURITY_POLICY_REPORT_ONLY,"
        " 'unsafe' in str(settings.CONTENT_SECURITY_POLICY))"
    )
    assert settings_value(code) == "(None, False)"


def test_media_on_s3_is_allowed_as_images():
    code = "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']"
    value = settings_value(
        code, AWS_STORAGE_BUCKET_NAME="stories", AWS_S3_CUSTOM_DOMAIN="media.example.com"
    )
    assert value == "[\"'self'\", 'data:', 'https://media.example.com']"
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]


# --- Templates: nothing inline a browser would run --------------------------

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
# Data blocks a browser never executes.
DATA_TYPES = ("application/ld+json", "application/json", "text/template")
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
# Rendered to PDF by WeasyPrint or sent as email, never served as a page.
NOT_PAGES = (
    "emails/",
    "approvals/certificate.html",
    "interviews/guide_pdf.html",
    "sales/pack_cover.html",
    "distribution/documents/",
)


def _templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            yield path.relative_to(directory).as_posix(), path.read_text()


def test_templates_exist_to_check():
    assert len(list(_templates())) > 100


def test_no_template_has_an_inline_script():
    found = []
    for name, text in _templates():
        for match in SCRIPT_TAG.finditer(text):
            attrs = match.group(1)
            if "src=" in attrs or any(kind in attrs for kind in DATA_TYPES):
                continue
            found.append(f"{name}: {match.group(0)}")
    assert found == []


def test_no_template_has_an_inline_event_handler():
    found = [
        f"{name}:{text[: m.start()].count(chr(10)) + 1}"
        for name, text in _templates()
        for m in HANDLER.finditer(text)
    ]
    assert found == []


def test_no_page_template_has_an_inline_style():
    found = [
        f"{name}:{text[: m.start()].count(chr(10)) + 1}"
        for name, text in _templates()
        if not name.startswith(NOT_PAGES)
        for m in STYLE.finditer(text)
    ]
    assert found == []


def test_the_checks_catch_what_they_look_for():
    assert SCRIPT_TAG.search("<script>alert(1)</script>").group(1) == ""
    assert HANDLER.search('<input onfocus="this.select()">')
    assert HANDLER.search("<body onload=go()>")
    assert not HANDLER.search('<a data-select-on-focus href="/x">')
    assert STYLE.search('<div style="color:red">') and STYLE.search("<style>")


def test_python_made_html_has_no_inline_script_or_handler():
    """format_html / mark_safe in our apps (admin columns, widgets, tags)."""
    found = []
    apps = ("config", "core", "casestudies", "recruitment", "interviews", "approvals")
    for path in sorted(
        p for app in (*apps, "distribution", "analytics") for p in (ROOT / app).rglob("*.py")
    ):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        for match in SCRIPT_TAG.finditer(text):
            attrs = match.group(1)
            if "src=" in attrs or any(kind in attrs for kind in DATA_TYPES):
                continue
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        if re.search(r"""['"][^'"]*<[a-z][^>]*\son[a-z]+=""", text):
            found.append(f"{path.relative_to(ROOT)}: event handler")
    assert found == []
