"""The address guard: internal addresses are refused after DNS resolution
unless a setting names them, the checked address is the one connected to,
and redirects are not followed."""

import socket

import pytest

from integrations import transport
from tests.integrations.conftest import set_integrations, start_receiver


@pytest.fixture
def https_only(settings):
    set_integrations(settings, WEBHOOK_ALLOWED_NETWORKS=[], WEBHOOK_ALLOW_HTTP=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",  # a name: refused after resolution
        "http://[::1]:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://10.1.2.3/",
        "http://172.16.0.9/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata address
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0:{port}/",
        "http://224.0.0.1/",
    ],
)
def test_it_refuses_internal_addresses(https_only, url):
    receiver = start_receiver()
    try:
        with pytest.raises(transport.AddressRefused):
            transport.post(url.format(port=receiver.port), body="{}", headers={})
        assert receiver.requests == []
    finally:
        receiver.server.shutdown()


def test_one_internal_answer_refuses_the_host(https_only, monkeypatch):
    def answers(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(transport.socket, "getaddrinfo", answers)
    with pytest.raises(transport.AddressRefused, match="internal"):
        transport.resolve("http://mixed.example/")


def test_plain_http_and_credentials_are_refused_by_default(settings):
    set_integrations(settings, WEBHOOK_ALLOW_HTTP=False)
    with pytest.raises(transport.AddressRefused):
        transport.check_url("http://hooks.example/")
    with pytest.raises(transport.AddressRefused):
        transport.check_url("https://user:pw@hooks.example/")
    with pytest.raises(transport.AddressRefused):
        transport.check_url("file:///etc/passwd")
    transport.check_url("https://hooks.example/x")


def test_a_network_named_in_the_setting_is_reached(settings, receiver):
    set_integrations(settings, WEBHOOK_ALLOWED_NETWORKS=["127.0.0.0/8"], WEBHOOK_ALLOW_HTTP=True)
    response = transport.post(receiver.url, body='{"a":1}', headers={"webhook-id": "msg_1"})
    assert response.status == 200
    assert receiver.requests[0].body == '{"a":1}'


def test_it_connects_to_the_address_it_checked(settings, receiver, monkeypatch):
    """No DNS rebinding: the name is resolved once; the connection goes to
    that address, with the name kept in the Host header."""
    set_integrations(settings, WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"], WEBHOOK_ALLOW_HTTP=True)
    real = socket.getaddrinfo
    calls = []
    answers = iter(["127.0.0.1", "10.9.9.9"])  # a rebinding server's two answers

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example":
            calls.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    response = transport.post(f"http://rebind.example:{receiver.port}/hook", body="{}", headers={})
    assert response.status == 200
    assert calls == ["rebind.example"]
    assert receiver.requests[0].headers["host"] == f"rebind.example:{receiver.port}"


def test_redirects_are_not_followed(settings, receiver):
    set_integrations(settings, WEBHOOK_ALLOWED_NETWORKS=["127.0.0.1/32"], WEBHOOK_ALLOW_HTTP=True)
    target = start_receiver()
    try:
        receiver.replies = [(307, 0, {"Location": target.url})]
        response = transport.post(receiver.url, body="{}", headers={})
        assert response.status == 307
        assert target.requests == []
    finally:
        target.server.shutdown()
