"""Fixtures for the story's documents: published stories with both logos."""

import io
import itertools
import shutil
import subprocess
import tempfile

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from casestudies import services
from casestudies.models import CaseStudyState
from distribution.models import Branding
from tests import factories
from tests.conftest import IN_CI


def png(colour: str = "#1f4e79", size=(240, 80)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


def _poppler(name: str) -> str:
    """Full path of a poppler-utils tool (pdftotext, pdfinfo, pdfimages)."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"CI=true requires {name} (poppler-utils).")
        pytest.skip(f"needs {name} (poppler-utils)")
    return path


def pdf_text(content: bytes) -> str:
    """The PDF's text in reading order, whitespace collapsed (wrapped lines join)."""
    text = subprocess.run(  # noqa: S603 - our own fixed arguments
        [_poppler("pdftotext"), "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return " ".join(text.split())


def pdf_info(content: bytes) -> dict[str, str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        out = subprocess.run(  # noqa: S603
            [_poppler("pdfinfo"), handle.name], capture_output=True, check=True, text=True
        ).stdout
    return {
        key.strip(): value.strip()
        for key, _sep, value in (line.partition(":") for line in out.splitlines())
    }


def pdf_image_count(content: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        out = subprocess.run(  # noqa: S603
            [_poppler("pdfimages"), "-list", handle.name],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    return max(0, len(out.strip().splitlines()) - 2)  # two header lines


def body(response) -> bytes:
    # Consuming the test client's wrapper closes the response (and the file).
    return b"".join(response.streaming_content)


_numbers = itertools.count()


def make_branding() -> Branding:
    brand = Branding(company_name="Storyline Cloud", website="https://storyline.example")
    brand.logo.save("brand.png", png("#c2410c"), save=False)
    brand.save()
    return brand


@pytest.fixture
def branding(db):
    return make_branding()


def make_meridian(actor, state=CaseStudyState.PUBLISHED, **fields):
    """A story by "Meridian Health" with a logo, a metric (15 → 5 days, "67%
    reduction") and an approved pull quote, by ``actor``; its logo goes to
    the MEDIA_ROOT of the moment."""
    customer = factories.CustomerFactory(
        name="Meridian Health",
        slug=f"meridian-health-{next(_numbers)}",
        website="https://meridian.example",
        industry=factories.IndustryFactory(name="Healthcare"),
    )
    customer.logo.save("meridian.png", png("#15803d"), save=True)
    return factories.case_study_in_state(
        state,
        actor=actor,
        customer=customer,
        story_title="Meridian Health closes its books in 5 days",
        **fields,
    )


@pytest.fixture
def published(alice, branding):
    """A published story by "Meridian Health" with a logo, a metric (15 → 5
    days, "67% reduction") and an approved pull quote."""

    def make(state=CaseStudyState.PUBLISHED, **fields):
        return make_meridian(alice, state, **fields)

    return make


def with_translation(case_study, actor, *, title="Meridian Health menutup buku dalam 5 hari"):
    """Publish an approved Bahasa Indonesia version beside the English story
    (the story must be in review: we save the Indonesian draft there)."""
    version = services.story_version_create(
        case_study=case_study,
        actor=actor,
        title=title,
        sections=factories.sections(),
        language="id",
    )
    english = case_study.versions.filter(language="en").order_by("-number").first()
    services.case_study_approve(case_study=case_study, version=english, actor=actor)
    services.case_study_publish(case_study=case_study, actor=actor)
    factories.sign_off_internal_review(version, actor=actor)
    services.story_translation_approve(case_study=case_study, version=version, actor=actor)
    case_study.refresh_from_db()
    return version


def make_bilingual_story(
    actor, *, customer=None, title="Meridian Health closes books in 5 days", **fields
):
    """A published story in English with an approved Indonesian version, by
    ``actor`` (what a class-scoped fixture calls inside ``shared_db``)."""
    cs = factories.case_study_in_state(
        CaseStudyState.DRAFTING, actor=actor, customer=customer, **fields
    )
    indonesian = services.story_version_create(
        case_study=cs,
        actor=actor,
        title="Meridian Health menutup buku dalam 5 hari",
        language="id",
        sections=factories.sections(
            summary="Ringkasan: tim keuangan menutup buku jauh lebih cepat.",
            challenge="Tantangan: penutupan akhir bulan memakan waktu lima belas hari.",
        ),
    )
    english = services.story_version_create(
        case_study=cs,
        actor=actor,
        title=title,
        sections=factories.sections(summary="Finance closes the books much faster."),
    )
    factories.sign_off_internal_review(english, actor=actor)
    services.case_study_submit_for_review(case_study=cs, actor=actor)
    services.case_study_approve(case_study=cs, actor=actor)
    factories.sign_off_internal_review(indonesian, actor=actor)
    services.story_translation_approve(case_study=cs, version=indonesian, actor=actor)
    services.case_study_publish(case_study=cs, actor=actor)
    cs.refresh_from_db()
    return cs


@pytest.fixture
def bilingual_story(alice):
    """``bilingual_story(customer=..., title=..., **fields)``: a published
    story in English with an approved Indonesian version."""

    def make(**kwargs):
        return make_bilingual_story(alice, **kwargs)

    return make
