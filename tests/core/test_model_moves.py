"""Models that changed app kept their tables and their history: each moved
model's table is the one it always had, and the migration that moved it
renames its content type (so permissions and audit entries follow)."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType

from approvals.models import ApprovalChainContact
from casestudies.models import CustomerAsk, RelationshipSignal

MOVES = [
    (CustomerAsk, "distribution_customerask"),
    (RelationshipSignal, "recruitment_relationshipsignal"),
    (ApprovalChainContact, "recruitment_approvalchaincontact"),
]


@pytest.mark.parametrize(("model", "table"), MOVES, ids=lambda v: getattr(v, "__name__", v))
def test_a_moved_model_keeps_its_table(model, table):
    assert model._meta.db_table == table


@pytest.mark.django_db
def test_the_move_renames_the_old_content_type_and_keeps_its_id():
    migration = importlib.import_module("casestudies.migrations.0007_customer_ledger_and_signals")
    ContentType.objects.filter(app_label="casestudies", model="customerask").delete()
    old = ContentType.objects.create(app_label="distribution", model="customerask")
    migration.rename_content_types(global_apps, None)
    old.refresh_from_db()
    assert (old.app_label, old.model) == ("casestudies", "customerask")
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(CustomerAsk).pk == old.pk
