"""Move existing recordings, transcripts and supplementary files from the
public media storage to the private one (core.private_files)."""

from django.db import migrations

from core.private_files import migration_for


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0003_private_files"),
    ]

    operations = [
        migrations.RunPython(migration_for("interviews"), migrations.RunPython.noop, elidable=True),
    ]
