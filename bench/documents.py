#!/usr/bin/env python
"""Documents benchmark: PDF, one-pager and slides render times for a
1500-word story with two images (both logos), and serving the stored PDF again.

    .venv/bin/python bench/documents.py                        # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_bench \\
        .venv/bin/python bench/documents.py                    # PostgreSQL (db recreated)

Celery runs eagerly in this process, so a render is timed exactly as a worker
runs it ("warm worker": one render first loads fonts and templates). Each
timed render is of a fresh story version; serving is timed through Django's
test client (no network), so the figures are the application's own.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import prepare_database  # noqa: E402

RENDERS = int(os.environ.get("BENCH_RENDERS", "5"))
SERVES = int(os.environ.get("BENCH_SERVES", "200"))

SENTENCES = [
    "Finance closed the books by hand across four spreadsheets and two ledgers.",
    "Every month-end took fifteen working days and three people's evenings.",
    "The controller could not say which figures were final until the audit.",
    "We compared three vendors against the checklist our auditors gave us.",
    "The deciding factor was the reconciliation engine and its audit trail.",
    "Implementation ran in three phases over eleven weeks, one entity at a time.",
    "The team kept the old process running in parallel for the first close.",
    "Training took two afternoons; most people needed only the first one.",
    "Month-end now closes in five days, and the numbers reconcile on day one.",
    "Errors found by the auditors dropped from dozens to a handful per year.",
    "The finance team spends its time on analysis instead of copying numbers.",
    "Next year the group plans to bring the two acquired companies onto it.",
]


def paragraphs(words: int) -> str:
    out, count, i, paragraph = [], 0, 0, []
    while count < words:
        sentence = SENTENCES[i % len(SENTENCES)]
        paragraph.append(sentence)
        count += len(sentence.split())
        i += 1
        if len(paragraph) == 5:
            out.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        out.append(" ".join(paragraph))
    return "\n\n".join(out)


def _png(colour: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 200), colour)
    ImageDraw.Draw(image).ellipse((20, 20, 180, 180), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    os.environ.pop("REDIS_URL", None)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="storyline-bench-media-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings

    from casestudies import services
    from casestudies.models import (
        Contact,
        Customer,
        Industry,
        Metric,
        Quote,
        Region,
        internal_review_areas,
    )
    from distribution.models import Branding, RenderedDocument

    call_command("migrate", verbosity=0)
    actor = get_user_model().objects.create(username="bench", is_staff=True)
    branding = Branding(company_name="Storyline Cloud", website="https://storyline.example")
    branding.logo.save("brand.png", ContentFile(_png("#1f4e79")), save=False)
    branding.save()
    industry = Industry.objects.create(name="Healthcare", slug="healthcare")
    region = Region.objects.create(name="Europe", slug="europe")
    words = {
        "summary": 115,
        **dict.fromkeys(
            ["challenge", "solution", "implementation", "results", "future_plans"], 270
        ),
    }
    sections = {name: paragraphs(n) for name, n in words.items()}
    total_words = sum(len(text.split()) for text in sections.values())

    def story(i: int):
        customer = Customer.objects.create(
            name=f"Meridian Health {i}",
            slug=f"meridian-{i}",
            industry=industry,
            region=region,
            company_size="enterprise",
            website="https://meridian.example",
        )
        customer.logo.save(f"meridian-{i}.png", ContentFile(_png("#15803d")), save=True)
        contact = Contact.objects.create(
            customer=customer, name="Sarah Chen", email=f"s{i}@m.ex", agreed_to_participate=True
        )
        cs = services.case_study_create(customer=customer, title=f"Story {i}", actor=actor)
        for n, (label, before, after) in enumerate(
            [("Month-end close", 15, 5), ("Audit findings", 40, 6), ("Invoices per FTE", 900, 2100)]
        ):
            Metric.objects.create(
                case_study=cs,
                label=label,
                before=before,
                after=after,
                unit="",
                position=n,
                higher_is_better=after > before,
            )
        for n in range(3):
            Quote.objects.create(
                case_study=cs,
                speaker=contact,
                speaker_name="Sarah Chen",
                speaker_title="CFO",
                text=SENTENCES[n + 6],
                kind="pull",
                permission="approved",
                position=n,
            )
        for step in ("start_recruiting", "start_interviewing", "start_drafting"):
            services.TRANSITION_FUNCTIONS[step](case_study=cs, actor=actor)
        version = services.story_version_create(
            case_study=cs,
            actor=actor,
            title=f"Meridian Health {i} closes in five days",
            sections=sections,
        )
        # Seed data: one account signs off every area (a small team's setting).
        with override_settings(INTERNAL_REVIEW_ALLOW_SAME_PERSON=True):
            for area in internal_review_areas():
                services.internal_sign_off_record(
                    version=version, area=area, decision="approved", actor=actor
                )
        for step in ("submit_for_review", "approve", "publish"):
            services.TRANSITION_FUNCTIONS[step](case_study=cs, actor=actor)
        return cs

    client = Client()
    stories = [story(i) for i in range(RENDERS + 1)]

    def timed_get(url: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        response = client.get(url)
        content = b"".join(response.streaming_content)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed, content

    # Warm the "worker": fonts, templates, python-pptx.
    for kind in ("pdf", "one-pager", "slides"):
        timed_get(f"/case-studies/{stories[0].slug}/{kind}/")

    rows = []
    for kind, label in (("pdf", "PDF (A4)"), ("one-pager", "one-pager"), ("slides", "slides")):
        request_ms = []
        for cs in stories[1:]:
            ms, content = timed_get(f"/case-studies/{cs.slug}/{kind}/")
            request_ms.append(ms)
        model_kind = kind.replace("-", "_")
        render_ms = list(
            RenderedDocument.objects.filter(
                kind=model_kind, case_study__in=stories[1:]
            ).values_list("render_ms", flat=True)
        )
        rows.append(
            (
                f"first request, {label}",
                statistics.median(request_ms),
                statistics.median(render_ms),
                len(content),
            )
        )

    url = f"/case-studies/{stories[1].slug}/pdf/"
    serve_ms = [timed_get(url)[0] for _ in range(SERVES)]
    serve_ms.sort()
    pages = None
    pdf = timed_get(url)[1]
    try:
        import shutil
        import subprocess

        info = subprocess.run(  # noqa: S603
            [shutil.which("pdfinfo") or "/usr/bin/pdfinfo", "-"],
            input=pdf,
            capture_output=True,
            check=False,
        ).stdout.decode()
        pages = next(
            (line.split()[-1] for line in info.splitlines() if line.startswith("Pages")), None
        )
    except OSError:
        pass

    print(
        f"documents benchmark · {connection.vendor} · story of {total_words} words, "
        f"2 images (both logos), 3 metrics, 3 pull quotes · median of {RENDERS} fresh versions"
    )
    print(f"{'figure':<32} {'request ms':>11} {'render ms':>10} {'bytes':>9}")
    for name, request_ms, render_ms, size in rows:
        print(f"{name:<32} {request_ms:>11.0f} {render_ms:>10.0f} {size:>9}")
    print(
        f"{'stored PDF served again':<32} {statistics.median(serve_ms):>11.2f} "
        f"{'—':>10} {len(pdf):>9}   (median of {SERVES}; p95 "
        f"{serve_ms[int(len(serve_ms) * 0.95) - 1]:.2f} ms)"
    )
    if pages:
        print(f"PDF pages: {pages}")
    save = os.environ.get("BENCH_SAVE_DIR")
    if save:  # keep the documents to look at
        for kind, ext in (("pdf", "pdf"), ("one-pager", "pdf"), ("slides", "pptx")):
            content = timed_get(f"/case-studies/{stories[1].slug}/{kind}/")[1]
            Path(save, f"bench-{kind}.{ext}").write_bytes(content)


if __name__ == "__main__":
    main()
