"""Production-shaped processes for the smoke and fault tests.

Everything here starts the way a deployment does: ``docker/entrypoint.sh
web`` (migrations, then gunicorn with the entrypoint's flags and logger
class) and ``docker/entrypoint.sh worker`` / ``beat`` (Celery as separate
processes, which import only what a worker imports: an unregistered task
shows up here and nowhere else), with ``DEBUG=0`` settings from the
environment, a database, Redis, and a local SMTP server that keeps every
message it receives.
"""

from __future__ import annotations

import contextlib
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "smoke-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # noqa: S110 - not up yet
            pass
        time.sleep(interval)
    return False


# --------------------------------------------------------------------------
# SMTP
# --------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(email.header.make_header(email.header.decode_header(self.message["Subject"])))

    @property
    def text(self) -> str:
        for part in self.message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        return ""


@dataclass
class SMTPSink:
    """A local SMTP server (aiosmtpd) that keeps every message it accepts."""

    port: int = 0
    messages: list[Received] = field(default_factory=list)
    # Seconds the server takes before it accepts a message (a slow relay).
    delay: float = 0.0

    def __post_init__(self):
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if address in m.to]

    def wait_for(self, address: str, count: int = 1, timeout: float = 60.0) -> list[Received]:
        if not wait_until(lambda: len(self.to(address)) >= count, timeout=timeout):
            raise AssertionError(
                f"{address} got {len(self.to(address))} of {count} emails in {timeout} s; "
                f"all: {[(m.to, m.subject) for m in self.messages]}"
            )
        return self.to(address)


@contextmanager
def smtp_sink() -> Iterator[SMTPSink]:
    from aiosmtpd.controller import Controller

    sink = SMTPSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    try:
        yield sink
    finally:
        controller.stop()


# --------------------------------------------------------------------------
# The stack
# --------------------------------------------------------------------------


def collect_static(target: Path) -> Path:
    """``collectstatic`` with the production (manifest) storage, once per
    directory: DEBUG=0 pages need the manifest."""
    marker = target / "staticfiles.json"
    if not marker.exists():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "STATIC_ROOT": str(target),
        }
        subprocess.run(  # noqa: S603
            [str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
    return target


@dataclass
class Stack:
    """What :func:`production_stack` runs: the addresses, the environment the
    processes share, their log files and the SMTP sink."""

    base_url: str
    env: dict[str, str]
    smtp: SMTPSink
    workdir: Path
    logs: dict[str, Path] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs.values())

    def start(self, role: str, name: str | None = None, **extra_env: str) -> subprocess.Popen:
        """``docker/entrypoint.sh <role>`` as its own process group."""
        name = name or role
        log = self.workdir / f"{name}.log"
        self.logs.setdefault(name, log)
        handle = open(log, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603
            ["/bin/sh", str(ROOT / "docker" / "entrypoint.sh"), role],
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process._log_handle = handle
        self.processes[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        process._log_handle.close()

    def kill(self, name: str) -> None:
        """``kill -9`` of the whole process (its pool children too)."""
        self.stop(name, sig=signal.SIGKILL)

    def wait_web(self, timeout: float = 90.0) -> None:
        import httpx

        def up() -> bool:
            return httpx.get(f"{self.base_url}/healthz", timeout=2).status_code in (200, 503)

        if not wait_until(up, timeout=timeout, interval=0.3):
            raise AssertionError(f"gunicorn did not answer in {timeout} s:\n{self.log_text()}")

    def wait_worker(self, name: str = "worker", timeout: float = 60.0) -> None:
        log = self.logs[name]
        if not wait_until(lambda: b" ready." in log.read_bytes(), timeout=timeout, interval=0.2):
            raise AssertionError(f"the worker did not start in {timeout} s:\n{self.log_text()}")


@contextmanager
def production_stack(
    *,
    database_url: str,
    redis_url: str,
    static_root: Path,
    web: bool = True,
    worker: bool = True,
    beat: bool = False,
    migrate: bool = True,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """gunicorn, a Celery worker (and beat when asked) started by the
    container entrypoint, on ``database_url`` and ``redis_url``, emailing a
    local SMTP sink; ``DEBUG=0`` settings from the environment.
    ``migrate=False`` starts the web role with ``RUN_MIGRATIONS=0`` (the
    database is the migrated test database already)."""
    with smtp_sink() as smtp:
        workdir = Path(tempfile.mkdtemp(prefix="storyline-stack-"))
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", str(workdir)),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "0",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": base_url,
            "CSRF_TRUSTED_ORIGINS": base_url,
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "STATIC_ROOT": str(static_root),
            "MEDIA_ROOT": str(workdir / "media"),
            "PRIVATE_MEDIA_ROOT": str(workdir / "private-media"),
            "IMPORT_FILES_ROOT": str(workdir / "private-imports"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "CELERY_CONCURRENCY": "2",
            "CELERY_HOSTNAME": f"smoke-{uuid.uuid4().hex[:8]}@%h",
            "OUTBOX_SWEEP_SECONDS": "2",
            "LOG_LEVEL": "INFO",
            "CELERY_TRACE_LOG_LEVEL": "INFO",
            "RUN_MIGRATIONS": "1" if migrate else "0",
            **(extra_env or {}),
        }
        stack = Stack(base_url=base_url, env=env, smtp=smtp, workdir=workdir)
        try:
            if web:
                stack.start("web")
            if worker:
                stack.start("worker")
            if beat:
                stack.start("beat", CELERY_BEAT_SCHEDULE_FILE=str(workdir / "beat-schedule"))
            if web:
                stack.wait_web()
            if worker:
                stack.wait_worker()
            yield stack
        finally:
            for name in list(stack.processes):
                stack.stop(name)
            if os.environ.get("KEEP_STACK_LOGS"):
                print(f"stack logs kept in {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
