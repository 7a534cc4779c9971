"""The egress policy on resolved addresses: no network at all."""

from __future__ import annotations

import ipaddress

import pytest

from config.egress import EgressPolicy, shares_host

FORBIDDEN_ALWAYS = [
    "169.254.169.254",  # cloud metadata (link-local)
    "169.254.0.1",
    "fe80::1",
    "::ffff:169.254.169.254",  # metadata, IPv4-mapped
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "100.100.100.200",  # Alibaba metadata
]
PRIVATE = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.0.0.7",
    "172.16.0.9",
    "172.31.255.254",
    "192.168.1.20",
    "100.64.0.1",  # shared address space (carrier NAT)
    "fc00::1",
    "fd12:3456::1",
    "::ffff:10.0.0.7",  # IPv4-mapped IPv6
    "::ffff:127.0.0.1",
    "64:ff9b::a00:7",  # NAT64 of 10.0.0.7
    "2002:a00:7::1",  # 6to4 of 10.0.0.7
    "198.18.0.1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"]


@pytest.mark.parametrize("address", FORBIDDEN_ALWAYS + PRIVATE)
def test_the_default_policy_refuses_every_non_public_address(address: str) -> None:
    assert EgressPolicy().refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", FORBIDDEN_ALWAYS)
def test_metadata_link_local_multicast_stay_refused_when_private_is_allowed(address: str) -> None:
    assert EgressPolicy(allow_private=True).refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PRIVATE)
def test_the_demo_setting_allows_loopback_and_private(address: str) -> None:
    assert EgressPolicy(allow_private=True).refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert EgressPolicy().refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://canvas.instructure.com/api/lti/courses/1/line_items", True),
        ("https://school.instructure.com/api/lti/courses/1/names_and_roles", True),
        ("https://moodle.uni.example/mod/lti/services.php/2/lineitems", False),
        ("https://sso.canvaslms.com/x", True),
        ("https://evil.example/scores", False),
        ("https://instructure.com.evil.example/", False),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("https://other.ac.uk/", False),  # a public suffix is no shared organisation
    ],
)
def test_service_urls_must_share_the_platforms_host(url: str, expected: bool) -> None:
    hosts = ["canvas.instructure.com", "sso.canvaslms.com", "www.ox.ac.uk"]
    assert shares_host(url, hosts) is expected
