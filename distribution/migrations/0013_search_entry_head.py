"""The gallery search's ranking vector (issue 16, S3): ``head`` holds the
title (weight A), the customer facts and the summary (B) of each search
entry, so that ranking a common word's thousands of matches reads about
1 KB per entry instead of its ~7 KB document (``ts_rank`` used to spend
~85 µs per match decompressing documents).

STORAGE MAIN keeps it in the row (compressed if need be, never in the TOAST
table). The values are filled here once; afterwards the index refresh
writes them with the document. PostgreSQL only."""

import django.contrib.postgres.search
from django.db import migrations

TABLE = "distribution_storysearchentry"


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector
    from django.db.models import F

    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN head SET STORAGE MAIN")
    entry = apps.get_model("distribution", "StorySearchEntry")
    config = F("config")
    entry.objects.update(
        head=SearchVector("title", weight="A", config=config)
        + SearchVector("facts", "summary", weight="B", config=config)
    )
    schema_editor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("distribution", "0012_merge_sales_search_and_facet_cells")]

    operations = [
        migrations.AddField(
            model_name="storysearchentry",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
