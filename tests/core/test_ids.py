import pytest

from core.ids import is_id


@pytest.mark.parametrize("value", ["1", "42", "123456789012345678"])
def test_ids(value):
    assert is_id(value)


@pytest.mark.parametrize(
    "value", ["", "0x1", "-1", "1.0", "²", "\uff11", "1234567890123456789", None, " 1", "abc"]
)
def test_not_ids(value):
    assert not is_id(value)
