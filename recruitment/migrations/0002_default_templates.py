"""The English and Bahasa Indonesia outreach templates and the concerns
playbook from the guide's "Proses Rekrutmen Pelanggan" (idempotent)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from recruitment.templating import ensure_defaults

    ensure_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
