"""The suite's own guard: a class sharing rows (``shared_db``) cannot hold a
transactional test, whose flush would wipe the rows the class shares."""

from types import SimpleNamespace

import pytest

from tests.conftest import _refuse_flushes_under_shared_rows


def _item(cls, fixtures, *, transaction=False):
    marker = SimpleNamespace(kwargs={"transaction": transaction})
    return SimpleNamespace(
        cls=cls,
        fixturenames=list(fixtures),
        get_closest_marker=lambda name: marker if name == "django_db" else None,
    )


class Shares:
    pass


class Other:
    pass


def test_a_class_sharing_rows_with_a_flushing_test_is_refused_by_name():
    items = [
        _item(Shares, ["shared_db", "db"]),
        _item(Shares, ["db"], transaction=True),
        _item(Other, ["db"], transaction=True),
    ]
    with pytest.raises(pytest.UsageError, match=r"^Shares: a class sharing rows"):
        _refuse_flushes_under_shared_rows(items)


def test_a_live_server_counts_as_flushing():
    items = [_item(Shares, ["shared_db"]), _item(Shares, ["live_server"])]
    with pytest.raises(pytest.UsageError):
        _refuse_flushes_under_shared_rows(items)


def test_sharing_and_flushing_in_different_classes_or_outside_one_is_fine():
    _refuse_flushes_under_shared_rows(
        [
            _item(Shares, ["shared_db"]),
            _item(Other, ["db"], transaction=True),
            _item(None, ["transactional_db"]),
        ]
    )
