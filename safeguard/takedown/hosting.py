"""Who hosts a reported address: its IP address, network, country and the provider to send notices to.

Offline: the host name is resolved by a pluggable resolver (SAFEGUARD_TAKEDOWN_RESOLVER: the system's DNS in
production; in development and tests a table in settings, SAFEGUARD_TAKEDOWN_HOSTS, so nothing reaches the network);
the IP address's network name and country come from geoip2fast's bundled data (the same package routing uses for
countries, docs/adr/0061); the provider and its abuse contact come from the `HostingProvider` registry, imported or
typed in. The address itself is never fetched here.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .models import HostingProvider

RESOLVE_TIMEOUT_S = 3.0


def system_resolver(host: str) -> list[str]:
    """The machine's own DNS (production). At most RESOLVE_TIMEOUT_S; [] when the name does not resolve."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(RESOLVE_TIMEOUT_S)
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, TimeoutError, UnicodeError):
        return []
    finally:
        socket.setdefaulttimeout(previous)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def table_resolver(host: str) -> list[str]:
    """Names from settings.SAFEGUARD_TAKEDOWN_HOSTS ({"files.example": ["203.0.113.5"]}): development and tests."""
    table = getattr(settings, "SAFEGUARD_TAKEDOWN_HOSTS", {}) or {}
    return list(table.get(host, []))


def _resolver() -> Callable[[str], list[str]]:
    path = getattr(settings, "SAFEGUARD_TAKEDOWN_RESOLVER", "safeguard.takedown.hosting.system_resolver")
    return import_string(path)


@functools.cache
def _networks():
    from geoip2fast import GeoIP2Fast

    data_file = getattr(settings, "SAFEGUARD_TAKEDOWN_NETWORK_DATA_FILE", "") or "geoip2fast-asn-ipv6.dat.gz"
    return GeoIP2Fast(verbose=False, geoip2fast_data_file=data_file)


@dataclass(frozen=True)
class Network:
    name: str  # e.g. "EXAMPLE-HOSTING" ("" when the data has none)
    cidr: str
    country: str  # ISO alpha-2, "" when private or unknown


def network_of(ip: str) -> Network:
    found = _networks().lookup(str(ipaddress.ip_address(ip)))
    country = found.country_code or ""
    return Network(
        name=(getattr(found, "asn_name", "") or "").upper(),
        cidr=getattr(found, "asn_cidr", "") or getattr(found, "cidr", "") or "",
        country=country if len(country) == 2 and country.isalpha() else "",
    )


@dataclass(frozen=True)
class Hosting:
    ip: str | None
    network: Network | None
    provider: HostingProvider | None
    basis: str  # how the provider was found, or why none was

    @property
    def country(self) -> str:
        if self.network and self.network.country:
            return self.network.country
        return self.provider.country if self.provider else ""


def provider_for_domain(host: str, providers: list[HostingProvider]) -> HostingProvider | None:
    best, best_length = None, -1
    for provider in providers:
        for domain in provider.domains:
            domain = domain.lower().strip(".")
            if (host == domain or host.endswith("." + domain)) and len(domain) > best_length:
                best, best_length = provider, len(domain)
    return best


def locate_host(host: str, host_kind: str) -> Hosting:
    """Resolve (unless an IP address), look the IP up in the network data, match a provider."""
    providers = list(HostingProvider.objects.filter(is_active=True))
    if host_kind == "domain":
        ips = _resolver()(host)
        by_domain = provider_for_domain(host, providers)
    else:
        ips, by_domain = [host.strip("[]")], None
    ip = ips[0] if ips else None
    network = network_of(ip) if ip else None
    if by_domain is not None:
        return Hosting(ip, network, by_domain, f"host name is under {by_domain.name}'s domains")
    if network and network.name:
        for provider in providers:
            if network.name in {n.upper() for n in provider.network_names}:
                return Hosting(ip, network, provider, f"IP address {ip} is in {provider.name}'s network {network.name}")
        return Hosting(ip, network, None, f"IP address {ip} is in network {network.name}, which has no provider yet")
    if ip is None:
        return Hosting(None, None, None, f"{host} does not resolve to an IP address")
    return Hosting(ip, network, None, f"No network is known for IP address {ip}")
