"""Beacon validation: every bad payload is a 400 with a reason, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.beacon import MAX_BODY, Invalid, parse
from analytics.models import Event
from tests.conftest import fresh

URL = "/a/e"


@pytest.fixture
def story(published_row, db):
    return fresh(published_row)


def post(client, body, **headers):
    return client.generic("POST", URL, body, content_type="text/plain", **headers)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"k": st.sampled_from(["view", "engagement", "gallery_search", "x"])},
        optional={
            "s": json_values | st.text(max_size=40),
            "t": json_values,
            "c": json_values,
            "r": json_values,
            "u": json_values,
            "f": json_values,
        },
    ).map(lambda v: json.dumps(v).encode()),
)


class TestAgainstAPublishedStory:
    """Payloads sent while a published story exists (one, made once for the class)."""

    @pytest.mark.parametrize(
        "body",
        [
            b"",
            b"not json",
            b"[]",
            b"null",
            b"42",
            b'"view"',
            b"\xff\xfe\x00",
            b'{"k": "view"}',  # no story
            b'{"k": "purchase", "s": "x"}',  # unknown kind
            b'{"k": "download", "s": "x"}',  # server-side only
            b'{"k": "sales_use", "s": "x"}',  # staff only
            b'{"k": "view", "s": "x", "extra": 1}',
            b'{"k": "view", "s": "../../etc/passwd"}',
            b'{"k": "view", "s": 5}',
            b'{"k": "view", "s": "x", "u": "email"}',
            b'{"k": "view", "s": "x", "u": {"term": "y"}}',
            b'{"k": "view", "s": "x", "r": 12}',
            b'{"k": "engagement", "s": "x"}',
            b'{"k": "engagement", "s": "x", "t": -1}',
            b'{"k": "engagement", "s": "x", "t": 1e9}',
            b'{"k": "engagement", "s": "x", "t": true}',
            b'{"k": "engagement", "s": "x", "t": "10"}',
            b'{"k": "engagement", "s": "x", "t": 10, "c": "yes"}',
            b'{"k": "gallery_search", "f": "industry"}',
            b'{"k": "gallery_search", "f": ["drop table"]}',
            b'{"k": "view", "s": "x", "r": "a\\u0000b"}',
            b"[" * 5000 + b"]" * 5000,
        ],
    )
    def test_bad_payloads_are_400(self, browser, story, body):
        response = post(browser, body)
        assert response.status_code in (400, 413), response.content
        if response.status_code == 400:
            assert response.json()["error"]
        assert not Event.objects.exists()

    def test_a_large_body_is_refused_before_reading(self, browser, story):
        body = json.dumps({"k": "view", "s": story.slug, "r": "x" * MAX_BODY})
        assert post(browser, body).status_code == 413

    def test_a_lying_content_length_is_caught(self, browser, story):
        body = json.dumps({"k": "view", "s": story.slug, "r": "x" * 3000}).encode()
        with pytest.raises(Invalid):
            parse(body)

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=payloads)
    def test_fuzzed_payloads_never_500(self, browser, story, body):
        response = post(browser, body)
        assert response.status_code in (204, 400, 413, 429)


def test_an_unknown_slug_is_400(browser, db):
    assert post(browser, json.dumps({"k": "view", "s": "no-such-story"})).status_code == 400


@settings(max_examples=150, deadline=None)
@given(body=payloads)
def test_the_parser_only_ever_raises_invalid(body):
    try:
        fields = parse(body)
    except Invalid:
        return
    assert fields["kind"] in ("view", "engagement", "gallery_search")
