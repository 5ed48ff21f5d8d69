"""Who the per-address limits count: an IPv4 address, an IPv6 client's /64 network."""

from __future__ import annotations

import pytest

from slotwise.edge.limits import address_key


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        # Spelt differently, the same network: upper case, zeros written out.
        ("2001:DB8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        ("::1", "::/64"),
        ("testclient", "testclient"),
        ("", ""),
    ],
)
def test_address_key(host: str, key: str) -> None:
    assert address_key(host) == key
