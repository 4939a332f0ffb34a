"""The default English invitation's subject built a possessive on the
customer's name ("Harbor Freight Lines's results…"): reword it where it was
never edited."""

from django.db import migrations

OLD = "{customer}'s results deserve to be told"
NEW = "Results worth telling: {customer}"


def forward(apps, schema_editor):
    OutreachTemplate = apps.get_model("recruitment", "OutreachTemplate")
    OutreachTemplate.objects.filter(language="en", subject=OLD).update(subject=NEW)


def backward(apps, schema_editor):
    OutreachTemplate = apps.get_model("recruitment", "OutreachTemplate")
    OutreachTemplate.objects.filter(language="en", subject=NEW).update(subject=OLD)


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0004_chain_and_signals_moved")]

    operations = [migrations.RunPython(forward, backward)]
