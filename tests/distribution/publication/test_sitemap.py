import pytest

from casestudies.models import CaseStudyState
from tests import factories

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


def test_the_sitemap_lists_the_gallery_and_every_public_story(client, alice, bilingual_story):
    cs = bilingual_story()
    draft = factories.case_study_in_state(CaseStudyState.IN_REVIEW, actor=alice)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    path = cs.get_absolute_url()
    assert f"<loc>{SITE}/case-studies/</loc>" in xml
    assert f"<loc>{SITE}/case-studies/?industry={cs.customer.industry.slug}</loc>" in xml
    assert f"<loc>{SITE}{path}</loc>" in xml
    assert f"<loc>{SITE}{path}?lang=id</loc>" in xml
    assert f'hreflang="id" href="{SITE}{path}?lang=id"' in xml
    assert f'hreflang="x-default" href="{SITE}{path}"' in xml
    assert f"<lastmod>{cs.updated_at.date().isoformat()}</lastmod>" in xml
    assert draft.get_absolute_url() not in xml


def test_robots_txt_allows_the_gallery_and_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode().splitlines()
    assert "Allow: /case-studies/" in body
    for private in ("/admin/", "/review/", "/sales/", "/api/"):
        assert f"Disallow: {private}" in body
    assert f"Sitemap: {SITE}/sitemap.xml" in body
