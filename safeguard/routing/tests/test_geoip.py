import pytest

from safeguard.routing.geoip import BadIPAddress, country_of_ip


@pytest.mark.parametrize(
    ("ip", "country"),
    [("8.8.8.8", "US"), ("81.2.69.160", "GB"), ("2a00:1450:4009:80b::200e", "GB"), (" 8.8.4.4 ", "US")],
)
def test_public_addresses_have_a_country(ip, country):
    assert country_of_ip(ip) == country


@pytest.mark.parametrize("ip", ["192.168.1.1", "10.0.0.1", "127.0.0.1", "::1", "fe80::1", "100.64.0.1"])
def test_private_and_reserved_addresses_have_none(ip):
    assert country_of_ip(ip) == ""


@pytest.mark.parametrize("text", ["", "999.1.1.1", "not-an-ip", "1.2.3"])
def test_text_that_is_not_an_address_is_refused(text):
    with pytest.raises(BadIPAddress, match="not an IPv4 or IPv6 address"):
        country_of_ip(text)
