"""The story's documents: PDF, one-page summary and slides, read through
``public_version`` and honouring the usage rights."""

import io
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pptx import Presentation

from casestudies import services as cs_services
from casestudies.models import CaseStudyState, Metric, Quote
from distribution.models import RenderedDocument
from distribution.publication import documents
from distribution.publication import services as doc_services
from tests import factories
from tests.conftest import fresh, require_postgres
from tests.distribution.publication.conftest import (
    body,
    make_branding,
    make_meridian,
    pdf_image_count,
    pdf_info,
    pdf_text,
    with_translation,
)

pytestmark = pytest.mark.django_db
Doc = RenderedDocument
SECTION_HEADINGS = [
    "Executive summary",
    "The challenge",
    "The solution",
    "Implementation",
    "Results",
    "Future plans",
]


def get_file(client, url: str, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    return response, body(response)


def slides_text(content: bytes) -> tuple[Presentation, str]:
    deck = Presentation(io.BytesIO(content))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return deck, "\n".join(texts)


@pytest.fixture(scope="class")
def meridian_rows(shared_db, tmp_path_factory):
    """Meridian Health's published story and our branding, made once for a
    class. Their logos go to a media folder of the class's own: ``meridian``
    copies them into each test's MEDIA_ROOT."""
    media = tmp_path_factory.mktemp("meridian-media")
    with override_settings(MEDIA_ROOT=str(media)):
        make_branding()
        story = make_meridian(factories.program_manager())
    return {"story": story, "media": media}


@pytest.fixture
def meridian(meridian_rows, db, settings):
    """The class's Meridian story (as ``published()`` makes it), its logo and
    our branding's in this test's media folder."""
    shutil.copytree(meridian_rows["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)
    return fresh(meridian_rows["story"])


# --------------------------------------------------------------------------
# One story for many tests: every format, the rights, storage, failures
# --------------------------------------------------------------------------


class TestMeridiansStory:
    """Meridian Health's published story, made once for the class: its
    documents, the rights, storage, failures and the sweep."""

    def test_it_renders_the_pdf_with_every_section_in_order(self, client, meridian):
        cs = meridian
        response, content = get_file(client, reverse("gallery:pdf", args=[cs.slug]))
        assert response["Content-Type"] == "application/pdf"
        assert f'filename="{cs.slug}-en.pdf"' in response["Content-Disposition"]
        text = pdf_text(content)
        positions = [text.index(heading) for heading in SECTION_HEADINGS]
        assert positions == sorted(positions)
        assert "Meridian Health closes its books in 5 days" in text
        assert "Meridian Health · Healthcare" in text  # the customer line
        assert "66.7% reduction" in text  # the metric call-out
        assert "from 15 to 5 days" in text
        assert "We cut month-end close from 15 days to 5." in text  # pull quote
        assert "Sarah Chen, VP of Operations" in text
        assert "Storyline Cloud" in text  # our footer
        assert "Page 1 of" in text
        assert f"/case-studies/{cs.slug}/" in text  # the call to action
        info = pdf_info(content)
        assert "A4" in info["Page size"]
        assert int(info["Pages"]) >= 2
        assert pdf_image_count(content) == 2  # both logos

    def test_letter_paper_is_letter_sized_and_stored_apart(self, client, meridian):
        cs = meridian
        _r, a4 = get_file(client, reverse("gallery:pdf", args=[cs.slug]))
        _r, letter = get_file(client, reverse("gallery:pdf", args=[cs.slug]), paper="letter")
        assert "612 x 792" in pdf_info(letter)["Page size"]
        assert "A4" in pdf_info(a4)["Page size"]
        assert set(Doc.objects.values_list("paper", flat=True)) == {"a4", "letter"}

    def test_a_bad_paper_value_falls_back_to_a4(self, client, meridian):
        cs = meridian
        _r, content = get_file(client, reverse("gallery:pdf", args=[cs.slug]), paper="<script>")
        assert "A4" in pdf_info(content)["Page size"]

    def test_the_one_pager_is_one_page_with_the_essentials(self, client, meridian):
        cs = meridian
        response, content = get_file(client, reverse("gallery:one_pager", args=[cs.slug]))
        assert f'filename="{cs.slug}-one-pager-en.pdf"' in response["Content-Disposition"]
        assert pdf_info(content)["Pages"] == "1"
        text = pdf_text(content)
        for expected in [
            "Meridian Health closes its books in 5 days",
            "Meridian Health · Healthcare",
            "The challenge",
            "The solution",
            "66.7% reduction",
            "We cut month-end close from 15 days to 5.",
            f"/case-studies/{cs.slug}/",
        ]:
            assert expected in text
        assert pdf_image_count(content) == 2

    def test_the_slides_open_and_hold_the_story_and_metrics(self, client, meridian):
        cs = meridian
        response, content = get_file(client, reverse("gallery:slides", args=[cs.slug]))
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.presentationml"
        )
        assert f'filename="{cs.slug}-en.pptx"' in response["Content-Disposition"]
        deck, text = slides_text(content)
        # title, challenge, solution, results, one quote, closing
        assert len(deck.slides) == 6
        assert "Meridian Health closes its books in 5 days" in text
        assert "Month-end close" in text
        assert "66.7% reduction" in text
        assert "from 15 to 5 days" in text
        assert "We cut month-end close from 15 days to 5." in text
        assert f"/case-studies/{cs.slug}/" in text
        title_pictures = [s for s in deck.slides[0].shapes if s.shape_type == 13]  # PICTURE
        assert len(title_pictures) == 2  # both logos

    def test_slides_carry_at_most_three_quote_slides(self, client, meridian):
        cs = meridian
        for i in range(4):
            Quote.objects.create(
                case_study=cs,
                speaker_name=f"Speaker {i}",
                text=f"Quote number {i}",
                kind=Quote.Kind.PULL,
                permission=Quote.Permission.APPROVED,
            )
        Quote.objects.create(
            case_study=cs, speaker_name="Nope", text="Refused words", permission="refused"
        )
        _r, content = get_file(client, reverse("gallery:slides", args=[cs.slug]))
        deck, text = slides_text(content)
        # title, challenge, solution, results, three quote slides, closing
        assert len(deck.slides) == 8
        assert "Refused words" not in text

    def test_a_single_percentage_only_metric_hides_its_figures(self, client, meridian):
        cs = meridian
        Metric.objects.filter(case_study=cs).update(percentage_only=True)
        cs.quotes.update(text="Faster.")
        _r, pdf = get_file(client, reverse("gallery:pdf", args=[cs.slug]))
        assert "15 days" not in pdf_text(pdf)

    @pytest.mark.parametrize("lang", ["id", "xx", "<b>"])
    def test_a_language_that_is_not_public_is_404(self, client, meridian, lang):
        cs = meridian
        for name in ("gallery:pdf", "gallery:one_pager", "gallery:slides"):
            assert client.get(reverse(name, args=[cs.slug]), {"lang": lang}).status_code == 404

    def test_expired_or_archived_stories_are_not_served_even_when_rendered(
        self, client, meridian, alice
    ):
        cs = meridian
        url = reverse("gallery:pdf", args=[cs.slug])
        get_file(client, url)
        cs.rights_expire_on = timezone.localdate()
        cs.save(update_fields=["rights_expire_on"])
        assert client.get(url).status_code == 404
        cs.rights_expire_on = None
        cs.save(update_fields=["rights_expire_on"])
        get_file(client, url)
        cs_services.case_study_archive(case_study=cs, actor=alice, reason="Customer asked.")
        assert client.get(url).status_code == 404

    def test_the_second_request_is_served_from_storage(self, client, meridian):
        cs = meridian
        url = reverse("gallery:pdf", args=[cs.slug])
        first, content = get_file(client, url)
        document = Doc.objects.get()
        assert document.status == Doc.Status.DONE
        assert document.attempts == 1
        assert document.progress == 100
        assert document.size == len(content)
        assert document.render_ms is not None
        assert document.version_id == cs.published_version_id
        second, again = get_file(client, url)
        assert again == content
        assert Doc.objects.get().attempts == 1  # no second render
        assert second["ETag"] == first["ETag"] == f'"{document.content_hash}"'
        not_modified = client.get(url, headers={"if-none-match": first["ETag"]})
        assert not_modified.status_code == 304

    def test_the_stored_file_is_private_and_the_admin_shows_its_name(
        self, client, meridian, alice, settings
    ):
        cs = meridian
        get_file(client, reverse("gallery:pdf", args=[cs.slug]))
        document = Doc.objects.get()
        # Only the story's document link serves it (while the story is public).
        assert (Path(settings.PRIVATE_MEDIA_ROOT) / document.file.name).is_file()
        assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()
        client.force_login(alice)
        change = client.get(
            reverse("admin:distribution_rendereddocument_change", args=[document.pk])
        )
        assert change.status_code == 200
        assert document.file.name in change.content.decode()

    def test_a_lost_file_is_rendered_again(self, client, meridian):
        cs = meridian
        url = reverse("gallery:pdf", args=[cs.slug])
        get_file(client, url)
        document = Doc.objects.get()
        document.file.storage.delete(document.file.name)
        _r, content = get_file(client, url)
        assert content.startswith(b"%PDF")
        assert Doc.objects.get().attempts == 2

    def test_a_queued_document_shows_a_preparing_page(self, client, meridian, settings):
        from tests.conftest import celery_conf

        cs = meridian
        url = reverse("gallery:pdf", args=[cs.slug])
        # A broker that nobody consumes: the render waits in the queue.
        with celery_conf(task_always_eager=False, broker_url="memory://"):
            response = client.get(url, {"paper": "letter"})
            again = client.get(url, {"paper": "letter"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response["X-Robots-Tag"] == "noindex"
        html = response.content.decode()
        assert "Preparing your PDF" in html
        assert '<meta name="robots" content="noindex">' in html
        assert 'http-equiv="refresh"' in html
        assert "document-status.js" in html
        assert again.status_code == 200
        document = Doc.objects.get()
        assert document.status == Doc.Status.QUEUED
        assert document.attempts == 0
        status = client.get(
            reverse("gallery:pdf_status", args=[cs.slug]), {"paper": "letter"}
        ).json()
        assert status == {"status": "queued", "progress": 0, "ready": False, "failed": False}
        # The worker picks it up: the same URLs now deliver the file.
        doc_services.document_render(document_id=document.pk)
        status = client.get(reverse("gallery:pdf_status", args=[cs.slug]), {"paper": "letter"})
        assert status.json()["ready"] is True
        _r, content = get_file(client, url, paper="letter")
        assert "612 x 792" in pdf_info(content)["Page size"]

    def test_a_redelivered_render_task_does_nothing(self, meridian, client):
        cs = meridian
        get_file(client, reverse("gallery:pdf", args=[cs.slug]))
        document = Doc.objects.get()
        assert doc_services.document_render(document_id=document.pk) is False
        assert Doc.objects.get().attempts == 1

    def test_a_failed_render_is_friendly_and_staff_see_why(
        self, client, meridian, alice, monkeypatch
    ):
        cs = meridian

        def explode(*args, **kwargs):
            raise RuntimeError("the font cache is corrupt")

        monkeypatch.setattr(documents, "render_story_pdf", explode)
        url = reverse("gallery:pdf", args=[cs.slug])
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "We could not prepare the PDF" in html
        assert cs.get_absolute_url() in html
        assert "corrupt" not in html  # visitors never see internals
        assert 'http-equiv="refresh"' not in html
        document = Doc.objects.get()
        assert document.status == Doc.Status.FAILED
        assert "RuntimeError: the font cache is corrupt" in document.error
        # Asking again does not hammer the renderer.
        client.get(url)
        assert Doc.objects.get().attempts == 1

        client.force_login(alice)
        changelist = client.get(reverse("admin:distribution_rendereddocument_changelist"))
        assert changelist.status_code == 200
        assert "the font cache is corrupt" in changelist.content.decode()
        change = client.get(
            reverse("admin:distribution_rendereddocument_change", args=[document.pk])
        )
        assert "RuntimeError: the font cache is corrupt" in change.content.decode()

        monkeypatch.undo()
        response = client.post(
            reverse("admin:distribution_rendereddocument_changelist"),
            {"action": "render_again", "_selected_action": [document.pk]},
        )
        assert response.status_code == 302
        document.refresh_from_db()
        assert document.status == Doc.Status.DONE
        assert document.error == ""
        assert document.attempts == 2
        from core.models import AuditEntry

        assert AuditEntry.objects.filter(action="distribution.document.rerender").count() == 1
        client.logout()
        get_file(client, url)

    def test_outsiders_cannot_see_rendered_documents(self, client, charlie, meridian):
        client.force_login(charlie)
        response = client.get(reverse("admin:distribution_rendereddocument_changelist"))
        assert response.status_code == 403

    def test_a_stale_render_is_claimed_again(self, meridian):
        cs = meridian
        document = Doc.objects.create(
            case_study=cs,
            version=cs.published_version,
            language="en",
            kind="pdf",
            paper="a4",
            status=Doc.Status.RENDERING,
            started_at=timezone.now() - timedelta(hours=1),
        )
        # Its worker beat a moment ago: still held, nobody renders it twice.
        assert doc_services.document_render(document_id=document.pk) is False
        # Silent for longer than the lease (the worker was killed): claimed again.
        lease = doc_services.render_lease()
        Doc.objects.filter(pk=document.pk).update(updated_at=timezone.now() - lease * 2)
        again, servable = doc_services.document_for(
            case_study=cs, version=cs.published_version, kind="pdf", paper="a4"
        )
        assert again.pk == document.pk
        assert again.status == Doc.Status.DONE
        assert servable

    def test_the_sweep_queues_lost_renders_again_without_a_reader(self, meridian, settings):
        cs = meridian
        document = Doc.objects.create(
            case_study=cs,
            version=cs.published_version,
            language="en",
            kind="pdf",
            paper="a4",
            status=Doc.Status.RENDERING,
        )
        assert doc_services.documents_requeue_stale() == 0  # alive
        lease = doc_services.render_lease()
        Doc.objects.filter(pk=document.pk).update(updated_at=timezone.now() - lease * 2)
        assert doc_services.documents_requeue_stale() == 1  # eager here: rendered at once
        document.refresh_from_db()
        assert document.status == Doc.Status.DONE and document.attempts == 1
        assert doc_services.documents_requeue_stale() == 0
        entry = settings.CELERY_BEAT_SCHEDULE["requeue-stale-documents"]
        assert entry["task"] == "distribution.tasks.requeue_stale_documents"

    def test_changed_usage_rights_are_never_served_from_an_old_file(self, client, meridian):
        cs = meridian
        url = reverse("gallery:pdf", args=[cs.slug])
        _r, before = get_file(client, url)
        assert "Meridian Health" in pdf_text(before)
        cs.anonymised = True
        cs.save(update_fields=["anonymised"])
        _r, after = get_file(client, url)
        assert "Meridian" not in pdf_text(after)
        assert Doc.objects.get().attempts == 2
        cs.percentage_only = True
        cs.save(update_fields=["percentage_only"])
        _r, slides = get_file(client, reverse("gallery:slides", args=[cs.slug]))
        _r, pdf = get_file(client, url)
        assert "from 15 to 5 days" not in pdf_text(pdf)
        assert "from 15 to 5 days" not in slides_text(slides)[1]

    def test_a_queued_rerender_does_not_serve_the_stale_file(self, client, meridian, settings):
        from tests.conftest import celery_conf

        cs = meridian
        url = reverse("gallery:pdf", args=[cs.slug])
        get_file(client, url)
        cs.anonymised = True
        cs.save(update_fields=["anonymised"])
        with celery_conf(task_always_eager=False, broker_url="memory://"):
            response = client.get(url)
        assert response.status_code == 200
        assert "Preparing your PDF" in response.content.decode()

    def test_a_render_queued_before_the_story_was_withdrawn_draws_nothing(
        self, client, meridian, alice
    ):
        from tests.conftest import celery_conf

        cs = meridian
        with celery_conf(task_always_eager=False, broker_url="memory://"):
            assert client.get(reverse("gallery:pdf", args=[cs.slug])).status_code == 200
        cs_services.case_study_archive(case_study=cs, actor=alice, reason="Customer asked.")
        document = Doc.objects.get()
        assert doc_services.document_render(document_id=document.pk) is True
        document.refresh_from_db()
        assert document.status == Doc.Status.FAILED
        assert not document.file
        assert "no longer public" in document.error


# --------------------------------------------------------------------------
# One-pager
# --------------------------------------------------------------------------


def test_a_long_story_still_fits_on_one_page(client, alice, branding):
    customer = factories.CustomerFactory(name="Verbose Corp")
    cs = factories.case_study_in_state(
        CaseStudyState.DRAFTING, actor=alice, customer=customer, story_title="x"
    )
    for i in range(6):
        factories.MetricFactory(case_study=cs, label=f"A rather long metric label number {i}")
    factories.QuoteFactory(case_study=cs, text="A very long quote that goes on. " * 60)
    long_text = "This sentence is long and it keeps going with more words. " * 300
    version = cs_services.story_version_create(
        case_study=cs,
        actor=alice,
        title="A title that is far longer than any editor would allow " * 3,
        sections=factories.sections(challenge=long_text, solution=long_text, summary=long_text),
    )
    factories.sign_off_internal_review(version, actor=alice)
    for step in ["submit_for_review", "approve", "publish"]:
        cs_services.TRANSITION_FUNCTIONS[step](case_study=cs, actor=alice)
    _r, content = get_file(client, reverse("gallery:one_pager", args=[cs.slug]))
    assert pdf_info(content)["Pages"] == "1"
    assert "The challenge" in pdf_text(content)


# --------------------------------------------------------------------------
# Usage rights in every format
# --------------------------------------------------------------------------


@pytest.fixture
def anonymised(published):
    cs = published(anonymised=True)
    quote = cs.quotes.get()
    quote.text = "Meridian Health closed the books in days, not weeks."
    quote.speaker_title = "CFO at Meridian Health"
    quote.save()
    return cs


def test_anonymised_mode_hides_the_customer_in_every_format(client, anonymised):
    cs = anonymised
    _r, pdf = get_file(client, reverse("gallery:pdf", args=[cs.slug]))
    _r, one = get_file(client, reverse("gallery:one_pager", args=[cs.slug]))
    _r, deck_bytes = get_file(client, reverse("gallery:slides", args=[cs.slug]))
    deck, deck_text = slides_text(deck_bytes)
    for text in (pdf_text(pdf), pdf_text(one), deck_text):
        flat = " ".join(text.split())
        assert "Meridian" not in flat
        assert "meridian.example" not in flat
        assert "Sarah Chen" not in flat  # a named person gives the company away
        assert "A mid-market healthcare company" in flat
        assert "CFO at A mid-market healthcare company" in flat
    assert pdf_image_count(pdf) == 1  # our logo only
    assert pdf_image_count(one) == 1
    assert len([s for s in deck.slides[0].shapes if s.shape_type == 13]) == 1


def test_percentage_only_shows_no_absolute_figures_anywhere(client, published):
    cs = published(percentage_only=True)
    cs.quotes.update(text="It changed how our finance team works.")
    _r, pdf = get_file(client, reverse("gallery:pdf", args=[cs.slug]))
    _r, one = get_file(client, reverse("gallery:one_pager", args=[cs.slug]))
    _r, deck_bytes = get_file(client, reverse("gallery:slides", args=[cs.slug]))
    _deck, deck_text = slides_text(deck_bytes)
    for text in (pdf_text(pdf), pdf_text(one), deck_text):
        assert "66.7% reduction" in text
        assert "15 days" not in text
        assert "5 days" not in text.replace("in 5 days", "")  # the title says "in 5 days"
        assert "from 15" not in text


# --------------------------------------------------------------------------
# Language versions
# --------------------------------------------------------------------------


def test_lang_picks_the_approved_translation_with_its_labels(client, published, alice):
    cs = published(state=CaseStudyState.IN_REVIEW)
    with_translation(cs, alice)
    _r, english = get_file(client, reverse("gallery:pdf", args=[cs.slug]))
    response, indonesian = get_file(client, reverse("gallery:pdf", args=[cs.slug]), lang="id")
    assert f'filename="{cs.slug}-id.pdf"' in response["Content-Disposition"]
    text = pdf_text(indonesian)
    assert "Meridian Health menutup buku dalam 5 hari" in text
    assert "Ringkasan eksekutif" in text
    assert "Executive summary" not in text
    assert "Executive summary" in pdf_text(english)
    _r, deck_bytes = get_file(client, reverse("gallery:slides", args=[cs.slug]), lang="id")
    assert "Meridian Health menutup buku dalam 5 hari" in slides_text(deck_bytes)[1]


# --------------------------------------------------------------------------
# Only public stories
# --------------------------------------------------------------------------


@pytest.mark.parametrize("state", [CaseStudyState.APPROVED, CaseStudyState.IN_REVIEW])
def test_unpublished_stories_have_no_documents(client, story_at, state):
    cs = story_at(state)
    for name in ("gallery:pdf", "gallery:one_pager", "gallery:slides", "gallery:pdf_status"):
        assert client.get(reverse(name, args=[cs.slug])).status_code == 404
    assert not Doc.objects.exists()


def test_an_unknown_story_is_404(client, db):
    assert client.get("/case-studies/no-such-story/pdf/").status_code == 404


# --------------------------------------------------------------------------
# Rendered once, served from storage
# --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_render_once(published):
    require_postgres()
    cs = published()
    version = cs.published_version
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def request():
        try:
            barrier.wait()
            doc_services.document_for(case_study=cs, version=version, kind="pdf", paper="a4")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    document = Doc.objects.get()
    assert document.attempts == 1
    assert document.status == Doc.Status.DONE


# --------------------------------------------------------------------------
# Pruning
# --------------------------------------------------------------------------


def test_prune_removes_files_of_versions_no_longer_public(client, published, alice):
    from django.core.management import call_command

    cs = published(state=CaseStudyState.IN_REVIEW)
    with_translation(cs, alice)
    get_file(client, reverse("gallery:pdf", args=[cs.slug]))
    get_file(client, reverse("gallery:pdf", args=[cs.slug]), lang="id")
    english = Doc.objects.get(language="en")
    indonesian = Doc.objects.get(language="id")
    storage = indonesian.file.storage
    call_command("prune_documents")
    assert Doc.objects.count() == 2  # both public: nothing removed
    cs_services.story_translation_withdraw(
        case_study=cs, language="id", actor=alice, reason="Mistranslated."
    )
    call_command("prune_documents")
    assert list(Doc.objects.values_list("language", flat=True)) == ["en"]
    assert not storage.exists(indonesian.file.name)
    assert storage.exists(english.file.name)
    cs_services.case_study_archive(case_study=cs, actor=alice, reason="Done.")
    call_command("prune_documents")
    assert not Doc.objects.exists()
    assert not storage.exists(english.file.name)


def test_a_branding_change_redraws_the_documents(client, published, branding):
    cs = published()
    url = reverse("gallery:one_pager", args=[cs.slug])
    get_file(client, url)
    branding.company_name = "Storyline Enterprise"
    branding.save()
    _r, content = get_file(client, url)
    assert "Storyline Enterprise" in pdf_text(content)
    assert Doc.objects.get().attempts == 2


def test_staff_find_a_storys_documents_from_its_admin_page(client, alice, published):
    cs = published()
    other = published()
    get_file(client, reverse("gallery:pdf", args=[cs.slug]))
    get_file(client, reverse("gallery:slides", args=[other.slug]))
    client.force_login(alice)
    page = client.get(reverse("admin:casestudies_casestudy_change", args=[cs.pk])).content.decode()
    changelist = reverse("admin:distribution_rendereddocument_changelist")
    link = f"{changelist}?case_study__id__exact={cs.pk}"
    assert link in page
    listing = client.get(link)
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == list(Doc.objects.filter(case_study=cs))


def test_the_document_list_runs_a_constant_number_of_queries(
    client, alice, published, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("admin:distribution_rendereddocument_changelist")
    get_file(client, reverse("gallery:pdf", args=[published().slug]))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    small_count = len(small.captured_queries)  # read now: each request resets the log
    for _ in range(4):
        cs = published()
        get_file(client, reverse("gallery:pdf", args=[cs.slug]))
        get_file(client, reverse("gallery:one_pager", args=[cs.slug]))
    assert Doc.objects.count() == 9
    with django_assert_max_num_queries(small_count):
        assert client.get(url).status_code == 200
