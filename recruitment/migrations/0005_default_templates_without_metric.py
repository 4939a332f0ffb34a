"""The default outreach templates work before any metric exists: the line
with {result} becomes a conditional line (``{if result}`` … ``{else}`` …),
so the invitation can go out before the interview, where numbers usually come
from. Only templates whose line is still the shipped one are changed."""

from django.db import migrations

REPLACEMENTS = [
    (
        'Your {result} is exactly the kind of success story that helps other {industry} leaders understand what is possible. We would love to feature your story in a case study that will:',
        '{if result}Your {result} is exactly the kind of success story that helps other {industry} leaders understand what is possible. We would love to feature your story in a case study that will:\n{else}What your team has achieved is exactly the kind of success story that helps other {industry} leaders understand what is possible. We would love to feature your story in a case study that will:',
    ),
    (
        'Hasil Anda, {result}, persis tipe kisah sukses yang membantu pemimpin {industry} lain memahami apa yang mungkin. Kami ingin menampilkan cerita Anda dalam case study yang akan:',
        '{if result}Hasil Anda, {result}, persis tipe kisah sukses yang membantu pemimpin {industry} lain memahami apa yang mungkin. Kami ingin menampilkan cerita Anda dalam case study yang akan:\n{else}Pencapaian tim Anda persis tipe kisah sukses yang membantu pemimpin {industry} lain memahami apa yang mungkin. Kami ingin menampilkan cerita Anda dalam case study yang akan:',
    ),
]


def forwards(apps, schema_editor):
    OutreachTemplate = apps.get_model("recruitment", "OutreachTemplate")
    for template in OutreachTemplate.objects.filter(is_default=True):
        body = template.body
        for old, new in REPLACEMENTS:
            if old in body and "{if result}" not in body:
                body = body.replace(old, new)
        if body != template.body:
            template.body = body
            template.save(update_fields=["body"])


def backwards(apps, schema_editor):
    OutreachTemplate = apps.get_model("recruitment", "OutreachTemplate")
    for template in OutreachTemplate.objects.filter(is_default=True):
        body = template.body
        for old, new in REPLACEMENTS:
            body = body.replace(new, old)
        if body != template.body:
            template.body = body
            template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0004_chain_and_signals_moved")]

    operations = [migrations.RunPython(forwards, backwards)]
