"""One client address (core/http.py): ``TRUSTED_PROXIES`` decides whether
X-Forwarded-For is read, and which of its entries."""

import pytest
from django.conf import settings as django_settings

from core.http import client_ip, client_network
from tests.core.test_settings import settings_value


def request(rf, forwarded=None, remote="10.0.0.2"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_proxies_the_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request(rf, "203.0.113.50")) == "10.0.0.2"


def test_behind_one_proxy_it_is_the_last_entry(rf, settings):
    settings.TRUSTED_PROXIES = 1
    # The client wrote "6.6.6.6"; our proxy appended the address it saw.
    assert client_ip(request(rf, "6.6.6.6, 203.0.113.50")) == "203.0.113.50"


def test_behind_two_proxies_it_is_the_second_from_the_right(rf, settings):
    settings.TRUSTED_PROXIES = 2
    forwarded = "6.6.6.6, 203.0.113.50, 192.0.2.7"
    assert client_ip(request(rf, forwarded)) == "203.0.113.50"


@pytest.mark.parametrize("forwarded", [None, "", "  ", "<script>", "999.1.1.1", "unknown, x"])
def test_a_missing_or_bad_header_falls_back_to_the_peer(rf, settings, forwarded):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request(rf, forwarded)) == "10.0.0.2"


def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_peer(rf, settings):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request(rf, "203.0.113.50")) == "10.0.0.2"


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        ("203.0.113.50:51234", "203.0.113.50"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:203.0.113.50", "203.0.113.50"),
    ],
)
def test_ports_and_spellings_are_normalised(rf, settings, entry, address):
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request(rf, entry)) == address


def test_no_address_at_all_is_an_empty_string(rf, settings):
    settings.TRUSTED_PROXIES = 1
    req = rf.get("/")
    req.META.pop("REMOTE_ADDR", None)
    assert client_ip(req) == ""


def test_rate_limits_count_an_ipv6_client_by_its_64(rf, settings):
    settings.TRUSTED_PROXIES = 0
    one = client_network(request(rf, remote="2001:db8:1:2::10"))
    other = client_network(request(rf, remote="2001:db8:1:2:ffff::99"))
    assert one == other == "2001:db8:1:2::/64"
    assert client_network(request(rf, remote="2001:db8:1:3::10")) != one
    assert client_network(request(rf, remote="203.0.113.9")) == "203.0.113.9"


def test_the_api_throttles_and_drf_agree_on_the_proxies():
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.TRUSTED_PROXIES
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "core.http.client_ip"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "0"),
        ({"TRUSTED_PROXIES": "2"}, "2"),
        ({"CLIENT_IP_HEADER": "X-Forwarded-For"}, "1"),
        ({"ANALYTICS_TRUST_X_FORWARDED_FOR": "true"}, "1"),
        ({"CLIENT_IP_HEADER": "X-Forwarded-For", "TRUSTED_PROXIES": "0"}, "0"),
    ],
)
def test_trusted_proxies_comes_from_the_environment_with_the_old_names_as_aliases(env, expected):
    assert settings_value("settings.TRUSTED_PROXIES", **env) == expected
