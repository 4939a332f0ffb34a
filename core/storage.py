"""Private file storage: interview recordings, transcripts, supplementary
files, proposal packs and rendered documents.

They live apart from the public media (logos), in ``STORAGES["private"]``: on
local disk under ``PRIVATE_MEDIA_ROOT`` (never under ``MEDIA_ROOT``, so no
``/media/`` address reaches them), or in the S3 bucket under the ``private/``
prefix with signed, short-lived addresses. They are served only by views
that check the user's permission first (:mod:`core.files`).
"""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``, with no public address."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError(
            "A private file has no public address: link to the view that serves it "
            "(core.files.private_file_response)."
        )


def private_storage():
    """The storage of private files (a callable, so migrations name it, not
    the environment's backend)."""
    return storages["private"]


def is_signed_remote(storage) -> bool:
    """Whether the storage hands out signed addresses of its own (S3)."""
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


@register(Tags.security)
def check_private_media_root(app_configs=None, **kwargs):
    """PRIVATE_MEDIA_ROOT must not be inside (or contain) a public directory."""
    if settings.STORAGES.get("private", {}).get("BACKEND") != (
        "core.storage.PrivateFileSystemStorage"
    ):
        return []
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = getattr(settings, name, None)
        if not public:
            continue
        public = Path(public).resolve()
        if private == public or public in private.parents or private in public.parents:
            errors.append(
                Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) overlaps {name} ({public}): private files "
                    "would be reachable at a public address.",
                    id="storyline.E001",
                )
            )
    return errors
