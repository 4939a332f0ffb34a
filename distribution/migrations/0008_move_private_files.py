"""Move existing proposal packs and rendered documents from the public media
storage to the private one (core.private_files)."""

from django.db import migrations

from core.private_files import migration_for


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0007_private_files_and_logo_limits"),
    ]

    operations = [
        migrations.RunPython(
            migration_for("distribution"), migrations.RunPython.noop, elidable=True
        ),
    ]
