"""The story page: the guide's layout, SEO metadata, language versions, and
the usage rights (anonymised, percentages only, expiry) on every part of it."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casestudies.models import CaseStudy, CaseStudyState, Metric
from distribution.models import Branding
from tests import factories
from tests.conftest import fresh
from tests.distribution.publication.conftest import make_bilingual_story

pytestmark = pytest.mark.django_db
S = CaseStudyState
SITE = "http://127.0.0.1:8000"


def _ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


@pytest.fixture(scope="class")
def acme_row(shared_db):
    """Acme Retail's published story with a pull quote, made once for a class."""
    alice = factories.program_manager()
    customer = factories.CustomerFactory(
        name="Acme Retail", website="https://acme.example", company_size="enterprise"
    )
    cs = factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        customer=customer,
        story_title="Acme Retail cuts close to 5 days",
    )
    factories.QuoteFactory(
        case_study=cs, kind="pull", text="Acme never looked back.", speaker_title="CFO, Acme Retail"
    )
    return cs


@pytest.fixture
def acme(acme_row, db):
    return fresh(acme_row)


@pytest.fixture(scope="class")
def bilingual_row(shared_db):
    """A published story in English and Indonesian, made once for a class."""
    return make_bilingual_story(factories.program_manager())


@pytest.fixture
def bilingual(bilingual_row, db):
    return fresh(bilingual_row)


class TestAcmesStory:
    """Acme Retail's story, made once for the class."""

    def test_the_page_has_seo_metadata_and_parseable_json_ld(self, client, acme):
        html = client.get(acme.get_absolute_url()).content.decode()
        url = f"{SITE}{acme.get_absolute_url()}"
        assert "<title>Acme Retail cuts close to 5 days · Storyline</title>" in html
        description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
        assert description.startswith(f"Acme Retail ({acme.customer.industry.name}): summary")
        assert len(description) <= 160
        assert f'<link rel="canonical" href="{url}">' in html
        assert '<meta property="og:type" content="article">' in html
        assert f'<meta property="og:url" content="{url}">' in html
        assert '<meta name="twitter:card" content="summary">' in html

        article, breadcrumbs = _ld(html)
        assert article["@type"] == "Article"
        assert article["headline"] == "Acme Retail cuts close to 5 days"
        assert article["publisher"]["name"] == "Storyline"
        assert article["about"] == {
            "@type": "Organization",
            "name": "Acme Retail",
            "url": "https://acme.example",
        }
        assert article["datePublished"].startswith(str(acme.published_at.date()))
        assert [i["name"] for i in breadcrumbs["itemListElement"]] == [
            "Customer stories",
            acme.customer.industry.name,
            "Acme Retail cuts close to 5 days",
        ]
        assert 'aria-label="Breadcrumb"' in html

    def test_the_page_has_the_guides_layout(self, client, acme):
        Branding.objects.create(
            company_name="Storyline Co", sales_contact_url="mailto:sales@x.example"
        )
        factories.MetricFactory(case_study=acme, label="Revenue", before=100, after=130, unit="k€")
        html = client.get(acme.get_absolute_url()).content.decode()
        assert 'class="logo-ours">Storyline Co' in html
        assert 'class="pull-quote"' in html and "Acme never looked back." in html
        assert "Results at a glance" in html and "30% increase" in html
        assert 'class="chart chart-before-after"' in html and 'role="img"' in html
        assert (
            "The chart&#x27;s figures as a table" in html
            or "The chart's figures as a table" in html
        )
        assert '<th scope="row">Revenue</th>' in html
        assert 'href="mailto:sales@x.example">Talk to sales</a>' in html
        for heading in ("Executive summary", "The challenge", "The solution", "Results"):
            assert f">{heading}</h2>" in html

    def test_a_dangerous_sales_link_is_not_rendered(self, client, acme):
        Branding.objects.create(sales_contact_url="javascript:alert(1)")
        html = client.get(acme.get_absolute_url()).content.decode()
        assert "javascript:" not in html
        assert "Talk to sales" not in html

    def test_expired_rights_take_the_story_off_the_site(self, client, acme):
        CaseStudy.objects.filter(pk=acme.pk).update(rights_expire_on=timezone.localdate())
        assert client.get(acme.get_absolute_url()).status_code == 404
        assert b"Acme Retail" not in client.get("/case-studies/").content
        assert acme.get_absolute_url().encode() not in client.get("/sitemap.xml").content

    def test_rights_expiring_later_keep_the_story_up(self, client, acme):
        CaseStudy.objects.filter(pk=acme.pk).update(
            rights_expire_on=timezone.localdate() + timedelta(days=1)
        )
        assert client.get(acme.get_absolute_url()).status_code == 200


def test_json_ld_cannot_be_broken_out_of(client, alice):
    cs = factories.case_study_in_state(
        S.PUBLISHED, actor=alice, story_title="</script><script>alert(1)</script> & more"
    )
    html = client.get(cs.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    article = _ld(html)[0]
    assert article["headline"] == "</script><script>alert(1)</script> & more"


def test_an_anonymised_story_never_names_the_customer(client, alice):
    customer = factories.CustomerFactory(
        name="Zenith Grocers", website="https://zenith.example", company_size="smb"
    )
    named = factories.ContactFactory(customer=customer, name="Ana Named", may_be_named=True)
    cs = factories.case_study_in_state(
        S.PUBLISHED,
        actor=alice,
        customer=customer,
        story_title="Zenith Grocers halves waste",
        anonymised=True,
    )
    factories.QuoteFactory(
        case_study=cs,
        speaker=named,
        speaker_name="Ana Named",
        speaker_title="COO, Zenith Grocers",
        text="At Zenith Grocers we saw it in a week.",
    )
    html = client.get(cs.get_absolute_url()).content.decode()
    visible = html.replace(cs.slug, "")  # the address was chosen before anonymising
    assert "Zenith" not in visible
    assert "zenith.example" not in visible
    assert "Ana Named" not in visible
    assert cs.public_customer_name in html
    article = _ld(html)[0]
    assert "about" not in article and "mentions" not in article


def test_percentage_only_shows_no_absolute_figure(client, alice):
    cs = factories.case_study_in_state(S.PUBLISHED, actor=alice, percentage_only=True)
    Metric.objects.filter(case_study=cs).delete()
    factories.MetricFactory(case_study=cs, label="Revenue", before=2_700_000, after=3_510_000)
    html = client.get(cs.get_absolute_url()).content.decode()
    assert "30% increase" in html
    for figure in ("2,700,000", "3,510,000", "2700000", "3510000"):
        assert figure not in html


def test_a_single_metric_can_be_percentage_only(client, alice):
    cs = factories.case_study_in_state(S.PUBLISHED, actor=alice)
    factories.MetricFactory(
        case_study=cs, label="Margin", before=1_234_567, after=2_469_134, percentage_only=True
    )
    html = client.get(cs.get_absolute_url()).content.decode()
    assert "100% increase" in html
    assert "1,234,567" not in html
    assert "from 15 to 5 days" in html  # the factory's other metric shows its figures


class TestLanguageVersions:
    """Acme's story and a bilingual one, each made once for the class."""

    def test_the_page_offers_the_other_language_with_hreflang(self, client, bilingual):
        cs = bilingual
        path = cs.get_absolute_url()
        html = client.get(path).content.decode()
        assert f'<link rel="alternate" hreflang="en" href="{SITE}{path}">' in html
        assert f'<link rel="alternate" hreflang="id" href="{SITE}{path}?lang=id">' in html
        assert f'<link rel="alternate" hreflang="x-default" href="{SITE}{path}">' in html
        assert f'href="{path}?lang=id" hreflang="id" lang="id">Baca kisah ini dalam' in html
        assert '<article class="story" lang="en">' in html

    def test_the_indonesian_version_is_a_page_in_indonesian(self, client, bilingual):
        cs = bilingual
        path = cs.get_absolute_url()
        response = client.get(f"{path}?lang=id")
        html = response.content.decode()
        assert response["Content-Language"] == "id"
        assert '<html lang="id">' in html
        assert "<h1>Meridian Health menutup buku dalam 5 hari</h1>" in html
        assert "Ringkasan eksekutif" in html  # the page's own words follow
        assert f'<link rel="canonical" href="{SITE}{path}?lang=id">' in html
        assert '<meta property="og:locale" content="id_ID">' in html
        assert _ld(html)[0]["inLanguage"] == "id"
        assert f'href="{path}" hreflang="en" lang="en">Read this story in English' in html

    def test_a_language_without_a_version_redirects_to_the_story(self, client, acme):
        path = acme.get_absolute_url()
        for lang in ("id", "en", "xx", ""):
            response = client.get(f"{path}?lang={lang}")
            assert response.status_code == 302
            assert response["Location"] == path

    def test_a_withdrawn_translation_leaves_the_page(self, client, alice, bilingual):
        from casestudies import services

        cs = bilingual
        services.story_translation_withdraw(
            case_study=cs, language="id", actor=alice, reason="Needs a fix."
        )
        assert client.get(f"{cs.get_absolute_url()}?lang=id").status_code == 302
        assert "?lang=id" not in client.get(cs.get_absolute_url()).content.decode()


def test_related_stories_share_the_industry_or_use_case(client, alice):
    retail = factories.IndustryFactory(name="Retail")
    health = factories.IndustryFactory(name="Healthcare")
    ops = factories.UseCaseFactory(name="Finance automation")

    def story(title, industry, use_case=None, state=S.PUBLISHED):
        cs = factories.case_study_in_state(
            state,
            actor=alice,
            story_title=title,
            customer=factories.CustomerFactory(industry=industry),
        )
        if use_case:
            cs.use_cases.add(use_case)
        return cs

    main = story("Main", retail, ops)
    story("Same industry", retail)
    story("Same use case", health, ops)
    story("Unrelated", health)
    story("Draft in retail", retail, state=S.IN_REVIEW)
    response = client.get(main.get_absolute_url())
    assert {c["title"] for c in response.context["related"]} == {"Same industry", "Same use case"}


def test_the_story_page_runs_a_constant_number_of_queries(client, alice):
    retail = factories.IndustryFactory(name="Retail")

    def count_for(cs):
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(cs.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    first = factories.case_study_in_state(
        S.PUBLISHED, actor=alice, customer=factories.CustomerFactory(industry=retail)
    )
    lone = count_for(first)
    for _i in range(5):
        cs = factories.case_study_in_state(
            S.PUBLISHED, actor=alice, customer=factories.CustomerFactory(industry=retail)
        )
        factories.MetricFactory(case_study=cs)
        factories.QuoteFactory(case_study=cs, kind="result")
    busy = count_for(first)
    assert busy <= lone + 2  # related cards: their metrics and translations
    assert busy <= 12
