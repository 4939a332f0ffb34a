"""Where an uploaded spreadsheet waits between the check (dry run) and the
confirmation, and while an import job runs.

Every web host and worker must see the same file — the confirmation may
reach another host than the check, and a job runs on a worker — so it lives
in shared storage, never in a host's /tmp. And never where a public URL could
serve it: these are other people's names and addresses.

:func:`import_storage` is the one place that says which storage: the
``imports`` entry of ``STORAGES`` (``config/settings/base.py``): the S3 bucket
under the ``private/`` prefix when ``AWS_STORAGE_BUCKET_NAME`` is set (signed
URLs only, no custom domain), otherwise the local directory
``IMPORT_FILES_ROOT`` (default: ``private-imports`` beside ``MEDIA_ROOT``, not
under it, so nothing serving ``/media/`` serves it). Files are named
``imports/<32 random hex>[.csv|.xlsx]``, deleted after the confirmation, the
cancellation or the job, and ``prune`` (daily, beat) deletes leftovers older
than a day.

django-import-export's admin imports use the same storage through
:class:`SharedImportTmpStorage` (``IMPORT_EXPORT_TMP_STORAGE_CLASS``).
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone
from import_export.tmp_storages import MediaStorage

logger = logging.getLogger(__name__)

PREFIX = "imports"
NAME_RE = re.compile(rf"^{PREFIX}/[0-9a-f]{{32}}(\.(csv|xlsx))?$")


def import_storage() -> Storage:
    """The private storage shared by every web host and worker."""
    return storages["imports"]


def save(content: bytes, extension: str) -> str:
    """Keep ``content`` under a new random name; returns the name."""
    name = f"{PREFIX}/{uuid.uuid4().hex}.{extension}"
    return import_storage().save(name, ContentFile(content))


def valid_name(name: str) -> bool:
    return isinstance(name, str) and bool(NAME_RE.match(name))


def read(name: str) -> bytes | None:
    """The file's bytes, or None for a name that is not ours or a file that
    is gone (confirmed, cancelled or pruned)."""
    if not valid_name(name):
        return None
    try:
        with import_storage().open(name, "rb") as file:
            return file.read()
    except (FileNotFoundError, OSError):
        return None
    except Exception:  # S3 raises its own "no such key"
        logger.warning("import file %s could not be read", name, exc_info=True)
        return None


def exists(name: str) -> bool:
    try:
        return valid_name(name) and import_storage().exists(name)
    except Exception:  # storage unreachable: as good as gone
        logger.warning("import file %s could not be looked up", name, exc_info=True)
        return False


def delete(name: str) -> None:
    if valid_name(name):
        try:
            import_storage().delete(name)
        except Exception:  # already gone; the prune retries anything else
            logger.warning("import file %s could not be deleted", name, exc_info=True)


def prune(*, older_than: timedelta = timedelta(days=1), keep: set[str] | None = None) -> int:
    """Delete the files older than ``older_than`` except those in ``keep``
    (files of jobs still waiting or running); returns how many."""
    storage = import_storage()
    try:
        _directories, files = storage.listdir(PREFIX)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - older_than
    deleted = 0
    for file in files:
        name = f"{PREFIX}/{file}"
        if name in (keep or set()) or not valid_name(name):
            continue
        try:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                deleted += 1
        except FileNotFoundError:
            continue
    return deleted


class SharedImportTmpStorage(MediaStorage):
    """django-import-export's temporary file between "check" and "confirm
    import", kept in :func:`import_storage` under ``imports/`` (its own
    MediaStorage would use the default storage: public media when it is the
    local disk). A name that is not one of ours reads as a missing file."""

    def __init__(self, **kwargs):
        super().__init__(**{**kwargs, "MEDIA_FOLDER": PREFIX})

    def _configure_storage(self):
        self._storage = import_storage()

    def _checked_path(self) -> str:
        path = self.get_full_path()
        if not valid_name(path):
            raise FileNotFoundError(path)
        return path

    def read(self):
        self._checked_path()
        return super().read()

    def remove(self):
        self._checked_path()
        super().remove()
