#!/usr/bin/env python
"""Drafting workspace benchmark (issue 3): what a writer waits for.

    .venv/bin/python bench/drafting.py                        # SQLite in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/storyline_bench \\
        .venv/bin/python bench/drafting.py                    # PostgreSQL (db recreated)

Loads the demo program (seed_demo), then times, in this process:
- the story checker on a 1500-word story (pure function and with the case
  study's quotes and metrics read from the database),
- the live checker endpoint the editor calls while the writer types,
- opening the story editor (time and queries),
- parsing a 90-minute WebVTT transcript (about 1,350 cues),
- assembling a first draft from the demo's held interview,
- placing a 90-minute transcript's turns into the draft's sections, and the
  checker once that transcript's lines are figure sources.
Medians over repeated runs; the first run of each is a warm-up.
"""

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
from documents import paragraphs  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))


def _median_ms(fn, runs: int = RUNS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _vtt(minutes: int = 90) -> bytes:
    lines, t, n = ["WEBVTT", ""], 0.0, 0
    speakers = ["Sarah Chen", "Interviewer"]
    sentence = "We closed the books in five days instead of fifteen, and the auditors noticed."
    while t < minutes * 60:
        start, end = t, t + 4.0

        def stamp(s: float) -> str:
            return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:06.3f}"

        lines += [f"{stamp(start)} --> {stamp(end)}", f"<v {speakers[n % 2]}>{sentence}", ""]
        t, n = end, n + 1
    return "\n".join(lines).encode()


def main() -> None:
    os.environ["DATABASE_URL"] = prepare_database()
    os.environ.pop("REDIS_URL", None)
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="storyline-bench-media-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.urls import reverse

    from casestudies import checker
    from casestudies.models import SECTION_FIELDS
    from core.roles import PROGRAM_MANAGERS
    from interviews import services as interview_services
    from interviews import transcripts
    from interviews.models import Interview

    settings.DEBUG = True  # query counts
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    interview = (
        Interview.objects.filter(status=Interview.Status.HELD)
        .select_related("case_study__customer")
        .first()
    )
    cs = interview.case_study
    words = {"summary": 120, **dict.fromkeys(SECTION_FIELDS[1:], 276)}
    sections = {name: paragraphs(n) for name, n in words.items()}
    total = sum(len(t.split()) for t in sections.values())
    rows = []

    rows.append(
        (f"checker, {total}-word story (pure)", _median_ms(lambda: checker.check_story(sections)))
    )
    rows.append(
        (
            "checker with the story's quotes and metrics",
            _median_ms(lambda: checker.check_case_study_story(cs, sections)),
        )
    )

    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(groups__name=PROGRAM_MANAGERS).first()
    client = Client()
    client.force_login(user)
    check_url = reverse("admin:casestudies_casestudy_story_check", args=[cs.pk])
    data = {"title": "Bench", "language": "en", **sections}
    rows.append(
        (
            "live checker endpoint (POST, JSON)",
            _median_ms(lambda: client.post(check_url, data).content),
        )
    )
    editor_url = reverse("admin:casestudies_casestudy_story", args=[cs.pk])
    rows.append(("open the story editor", _median_ms(lambda: client.get(editor_url).content)))
    reset_queries()
    client.get(editor_url)
    editor_queries = len(connection.queries)

    vtt = _vtt()
    cues = len(transcripts.parse(vtt, "call.vtt")[1])
    rows.append(
        (
            f"parse a 90-minute WebVTT ({cues} cues, {len(vtt) // 1024} KiB)",
            _median_ms(lambda: transcripts.parse(vtt, "call.vtt"), runs=10),
        )
    )
    rows.append(
        (
            "assemble a first draft (saves a version)",
            _median_ms(
                lambda: interview_services.draft_assemble(interview=interview, actor=user), runs=10
            ),
        )
    )

    # The first draft from the transcript itself: a 90-minute call uploaded.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from interviews import drafting

    interview_services.transcript_upload(
        interview=interview, upload=SimpleUploadedFile("call.vtt", vtt), actor=user
    )
    rows.append(
        (
            f"place a 90-minute transcript's turns and build the draft ({cues} cues)",
            _median_ms(lambda: drafting.build(interview), runs=10),
        )
    )
    rows.append(
        (
            "checker with quotes, metrics, names and figure sources (90-minute transcript)",
            _median_ms(lambda: checker.check_case_study_story(cs, sections), runs=10),
        )
    )

    print(f"\nDrafting benchmark — {connection.vendor}, median of {RUNS} runs unless noted\n")
    width = max(len(label) for label, _ in rows)
    for label, ms in rows:
        print(f"  {label:<{width}}  {ms:8.1f} ms")
    print(f"  {'story editor queries':<{width}}  {editor_queries:8d}")


if __name__ == "__main__":
    main()
