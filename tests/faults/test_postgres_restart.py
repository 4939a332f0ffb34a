"""PostgreSQL restarted under the app: ``/healthz`` says so within seconds,
no decision is half-saved, and the app recovers without a restart.

The cluster is the test's own (``pg_createcluster`` on a free port, a copy of
the migrated test database), never the shared one."""

import re
import subprocess
import threading
import time

import httpx
import pytest

from tests.faults.conftest import elapsed, measure, own_postgres_cluster
from tests.processes import ROOT, production_stack, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.production, pytest.mark.fault]

REVIEWERS = 20
APPROVE = {"outcome": "approved", "facts_checked": "on", "attribution_checked": "on"}
LINK = re.compile(r"/review/([A-Za-z0-9_-]{43})/")

SEED = (
    "from tests.faults.scenarios import review_chain; "
    f"cs, request = review_chain({REVIEWERS}); print('REQUEST', request.pk, cs.pk)"
)


def _sql(cluster, query: str) -> list[list[str]]:
    out = subprocess.run(  # noqa: S603
        [
            "psql",
            "-At",
            "-F",
            "|",
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            cluster.database,
            "-c",
            query,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return [line.split("|") for line in out.splitlines() if line]


def test_a_postgres_restart_is_reported_fast_and_leaves_no_half_decision(
    test_database_name, stack_urls, static_root
):
    with own_postgres_cluster(copy_from=test_database_name) as cluster:
        urls = {**stack_urls, "database_url": cluster.url}
        with production_stack(**urls, static_root=static_root) as stack:
            seeded = subprocess.run(  # noqa: S603
                [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "shell", "-c", SEED],
                cwd=ROOT,
                env=stack.env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert seeded.returncode == 0, seeded.stderr[-3000:]
            request_id = int(re.search(r"REQUEST (\d+)", seeded.stdout).group(1))
            assert wait_until(lambda: stack.smtp.count() >= REVIEWERS, timeout=60)
            tokens = [LINK.search(m.text).group(1) for m in stack.smtp.messages]

            statuses: dict[str, list[int]] = {t: [] for t in tokens}
            stop = threading.Event()

            def decide_all() -> None:
                """Customers keep deciding throughout; a failed one tries again."""
                with httpx.Client(base_url=stack.base_url, timeout=10) as client:
                    while not stop.is_set():
                        pending = [t for t in tokens if 302 not in statuses[t]]
                        if not pending:
                            return
                        for token in pending:
                            try:
                                response = client.post(f"/review/{token}/decide/", data=APPROVE)
                                code = response.status_code
                            except httpx.HTTPError:
                                code = 0
                            statuses[token].append(code)
                            time.sleep(0.15)

            deciding = threading.Thread(target=decide_all)
            deciding.start()
            assert wait_until(lambda: sum(302 in s for s in statuses.values()) >= 3, timeout=30)

            cluster.ctl("stop")
            down = time.monotonic()
            health = httpx.Client(base_url=stack.base_url, timeout=10)
            assert wait_until(lambda: health.get("/healthz").status_code == 503, timeout=10)
            reported = elapsed(down)
            body = health.get("/healthz").json()
            assert body["checks"]["database"]["ok"] is False
            time.sleep(2)
            cluster.ctl("start")
            up = time.monotonic()
            assert wait_until(lambda: health.get("/healthz").status_code == 200, timeout=60)
            recovered = elapsed(up)
            deciding.join(timeout=120)
            stop.set()
            health.close()
        errors = sorted({c for codes in statuses.values() for c in codes if c >= 500})
        # While it was down, requests got the 503 "back in a moment" page.
        assert set(errors) <= {503}, errors
        assert all(302 in codes for codes in statuses.values()), statuses

        # Whole decisions only: each approved step has exactly one decision and
        # one audit entry; the request and the story moved once.
        steps = _sql(
            cluster,
            "select s.status, count(distinct d.id), count(distinct a.id) "
            "from approvals_approvalstep s "
            "left join approvals_decision d on d.step_id = s.id "
            "left join core_auditentry a on a.object_id = s.id::text "
            "and a.action = 'approvals.step.approved' "
            f"where s.request_id = {request_id} group by s.id, s.status",
        )
        assert len(steps) == REVIEWERS
        assert all(row == ["approved", "1", "1"] for row in steps), steps
        (request_status,) = _sql(
            cluster, f"select status from approvals_approvalrequest where id = {request_id}"
        )
        assert request_status == ["approved"]
        (moves,) = _sql(
            cluster,
            "select count(*) from casestudies_statechange c join approvals_approvalrequest r "
            f"on r.case_study_id = c.case_study_id where r.id = {request_id} "
            "and c.to_state = 'approved'",
        )
        assert moves == ["1"]
    measure("/healthz 503 after PostgreSQL stopped", reported)
    measure("/healthz 200 after PostgreSQL started", recovered)
    assert reported <= 5
