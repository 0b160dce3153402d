"""IP address -> country, offline, with geoip2fast's bundled IPv4 and IPv6 country data (docs/adr/0061).

The data loads once per process (about half a second) on first use. To use a newer data file, set
settings.SAFEGUARD_GEOIP_DATA_FILE to a geoip2fast .dat.gz built from a licensed source (see the ADR).
"""

import functools
import ipaddress

from django.conf import settings


@functools.cache
def _reader():
    from geoip2fast import GeoIP2Fast

    data_file = getattr(settings, "SAFEGUARD_GEOIP_DATA_FILE", "") or "geoip2fast-ipv6.dat.gz"
    return GeoIP2Fast(verbose=False, geoip2fast_data_file=data_file)


class BadIPAddress(ValueError):
    pass


def country_of_ip(ip: str) -> str:
    """ISO 3166-1 alpha-2 country of a public IP address, or "" when the data has none (private, reserved).

    Raises BadIPAddress when the text is not an IP address at all, so callers can say so.
    """
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError as error:
        raise BadIPAddress(f"{ip!r} is not an IPv4 or IPv6 address") from error
    # geoip2fast answers "--" for private and reserved ranges itself; `is_global` would cost more than the lookup.
    code = _reader().lookup(str(address)).country_code or ""
    return code if len(code) == 2 and code.isalpha() else ""
