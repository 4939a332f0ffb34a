"""The gallery's facet counts as derived data (PostgreSQL only; SQLite counts
the stories directly): one row per distinct combination of the taxonomy a
public story carries, with its number of stories
(distribution/publication/facets.py)."""

from django.db import migrations

CREATE = """
CREATE TABLE distribution_facet_cell (
    industry_id bigint NOT NULL,
    company_size varchar(20) NOT NULL,
    region_id bigint NOT NULL,
    use_case_ids bigint[] NOT NULL,
    product_ids bigint[] NOT NULL,
    rights_expire_on date NULL,
    stories integer NOT NULL
);
CREATE TABLE distribution_facet_state (
    id integer PRIMARY KEY,
    built bigint NOT NULL
);
INSERT INTO distribution_facet_state (id, built) VALUES (1, -1);
CREATE SEQUENCE distribution_facet_version;
SELECT nextval('distribution_facet_version');
"""

DROP = """
DROP TABLE IF EXISTS distribution_facet_cell;
DROP TABLE IF EXISTS distribution_facet_state;
DROP SEQUENCE IF EXISTS distribution_facet_version;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("distribution", "0010_customer_ledger_moved")]

    operations = [migrations.RunPython(forwards, backwards)]
