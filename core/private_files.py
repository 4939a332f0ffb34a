"""Moving private files out of the public media storage.

Before private storage existed (:mod:`core.storage`), interview recordings,
transcripts, supplementary files, proposal packs and rendered documents were
saved in the default storage, i.e. under ``MEDIA_ROOT`` (or the bucket's
root), where a proxy serving ``/media/`` would hand them to anyone. Each
app's data migration moves its files once on upgrade; ``manage.py
move_private_files`` runs the same move again at any time (after restoring an
old backup, say). It is idempotent: a file already in private storage only
loses its public copy.
"""

from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.core.files.storage import storages

from core.storage import private_storage

# (app label, model, file field): every field whose storage is private.
PRIVATE_FILE_FIELDS = (
    ("interviews", "Interview", "recording"),
    ("interviews", "Transcript", "file"),
    ("interviews", "SupplementaryFile", "file"),
    ("distribution", "RenderedDocument", "file"),
    ("distribution", "ProposalPack", "pdf"),
    ("distribution", "ProposalPack", "slides"),
)


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)
    already_private: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def move_to_private(
    *, apps=global_apps, app_label: str | None = None, dry_run: bool = False
) -> MoveReport:
    """Move the files of ``PRIVATE_FILE_FIELDS`` (of one app, or all) from
    the default storage to the private one, keeping their names."""
    public, private = storages["default"], private_storage()
    report = MoveReport()
    for label, model_name, field_name in PRIVATE_FILE_FIELDS:
        if app_label and label != app_label:
            continue
        model = apps.get_model(label, model_name)
        rows = (
            model._base_manager.exclude(**{field_name: ""})
            .exclude(**{f"{field_name}__isnull": True})
            .values_list("pk", field_name)
        )
        for pk, name in rows.iterator():
            if private.exists(name):
                report.already_private.append(name)
                if not dry_run and public.exists(name):
                    public.delete(name)
                continue
            if not public.exists(name):
                report.missing.append(name)
                continue
            report.moved.append(name)
            if dry_run:
                continue
            with public.open(name, "rb") as handle:
                stored = private.save(name, handle)
            if stored != name:
                model._base_manager.filter(pk=pk).update(**{field_name: stored})
            public.delete(name)
    return report


def migration_for(app_label: str):
    """The RunPython function of ``app_label``'s data migration."""

    def forwards(apps, schema_editor):
        move_to_private(apps=apps, app_label=app_label)

    return forwards
