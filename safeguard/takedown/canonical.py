"""Reported web addresses in one canonical form, so that every report citing a page joins one takedown item.

Issue 23. The address is parsed as a browser parses it (the WHATWG URL standard, through `ada-url`), so the host we
notice is the host a browser would really visit: `http://good.example@evil.example/` is on evil.example, a
backslash ends the host (`http://evil.example\\@good.example/`), `http://3232235777/` is 192.168.1.1, tabs and
newlines inside an address are dropped. On top of the standard:

- only http and https are web addresses; javascript:, data:, mailto: and the rest get a plain refusal;
- the person's user name and password in the address are dropped (with a warning that names the real site);
- a host on a private or local network, or a name that is not a public internet name, is refused: there is no host
  on the internet to send a notice to;
- letters from other alphabets that look like Latin ones in a host name give a warning (a homograph);
- percent-encoding is made canonical: unreserved characters decoded (`%7E` is `~`), the rest in upper-case hex;
- tracking parameters (`utm_*`, `fbclid`, ...) are dropped and the rest sorted; the fragment is dropped (it never
  reaches the host);
- the de-duplication key also ignores http/https, a leading `www.` and a default port.

Nothing is ever fetched: this is text in, text out.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

import ada_url

from safeguard.subjects.normalise import fold_confusables

MAX_INPUT_LENGTH = 8192  # longer than any real link; a longer "address" is refused before parsing
WEB_SCHEMES = ("http:", "https:")
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "yclid",
    }
)
NOT_PUBLIC_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet", ".corp")
NOT_PUBLIC_NAMES = frozenset({"localhost", "localhost.localdomain"})

_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_BARE_HOST = re.compile(r"[^\s/?#@:]+\.[^\s/?#@:.]+(:\d+)?([/?#].*)?", re.DOTALL)
_IPV4 = re.compile(r"\d+\.\d+\.\d+\.\d+")  # the standard writes every IPv4 host this way
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))

_SCHEME_REFUSALS = {
    "javascript:": "This is a javascript: link: it runs code in the browser and is not a place on the internet, so "
    "there is no host to send a notice to.",
    "data:": "This is a data: address: the content is inside the address itself, so there is no host to send a "
    "notice to. Keep it with the report as evidence.",
    "blob:": "This is a blob: address: it only exists inside one browser tab, so there is no host to send a notice to.",
    "file:": "This is a file: address: it points at a file on someone's own device, not on the internet.",
    "mailto:": "This is an email address link, not a web page. Add it to the report as an email address.",
    "tel:": "This is a phone number link, not a web page. Add it to the report as a phone number.",
}


class UrlRefused(ValueError):
    """A reported address that cannot become a takedown item, with a code and a message a person can act on."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class UrlWarning:
    code: str  # userinfo, disguised_host, homograph
    message: str


@dataclass(frozen=True)
class CanonicalUrl:
    url: str  # scheme://host[:port]/path[?query]: what notices quote
    key: str  # what de-duplicates: the url without http/https, a leading www. or a default port
    host: str  # ASCII (punycode) host name, or the IP address
    host_unicode: str  # the host as a person reads it
    host_kind: str  # domain, ipv4 or ipv6
    warnings: tuple[UrlWarning, ...] = ()


def _canonical_percent(text: str) -> str:
    """Decode percent-escapes of unreserved characters, upper-case the hex of the rest (RFC 3986 section 6.2.2)."""
    if "%" not in text:
        return text

    def fix(match: re.Match) -> str:
        byte = int(match.group(1), 16)
        return chr(byte) if byte in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT.sub(fix, text)


def _canonical_query(search: str) -> str:
    if len(search) <= 1:
        return ""
    pairs = []
    for pair in search[1:].split("&"):
        if not pair:
            continue
        name = pair.split("=", 1)[0].lower()
        if name.startswith("utm_") or name in TRACKING_PARAMS:
            continue
        pairs.append(_canonical_percent(pair))
    pairs.sort()
    return "?" + "&".join(pairs) if pairs else ""


def _with_scheme(text: str) -> str:
    """People paste `example.com/page` without a scheme: read it as a web address if it looks like one."""
    if text.startswith("//"):
        return "http:" + text
    if "://" in text:
        return text
    if _BARE_HOST.fullmatch(text):  # before the scheme test: `example.com:8080/x` is a host and port, not a scheme
        return "http://" + text
    return text


def _refuse_scheme(protocol: str) -> None:
    if protocol in WEB_SCHEMES:
        return
    message = _SCHEME_REFUSALS.get(
        protocol, f"Only web addresses (http or https) can be taken down; this one starts “{protocol}”."
    )
    raise UrlRefused("not_web", message)


def _check_ip_host(hostname: str, kind: str) -> str:
    address = ipaddress.ip_address(hostname.strip("[]"))
    if not address.is_global:
        raise UrlRefused(
            "not_public",
            f"This address is on a private or local network ({address}), not on the internet: there is no host "
            "we can send a notice to.",
        )
    return kind


def _check_domain(host: str) -> None:
    bare = host.rstrip(".")
    labels = bare.split(".")
    if len(bare) > 253 or any(not 1 <= len(label) <= 63 for label in labels):
        raise UrlRefused("malformed", "This host name cannot exist: its parts must be 1 to 63 characters long.")
    if any(label.startswith("xn--") and ada_url.idna_to_unicode(label) == label for label in labels):
        raise UrlRefused("malformed", "This host name cannot exist: it has a broken international name (xn--).")
    if "." not in bare or bare in NOT_PUBLIC_NAMES or bare.endswith(NOT_PUBLIC_SUFFIXES):
        raise UrlRefused(
            "not_public",
            f"“{bare}” is not a public internet name (it only works inside one network), so there is no host we "
            "can send a notice to.",
        )


def _scripts(label: str) -> set[str]:
    found = set()
    for ch in label:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            found.add(name.split(" ", 1)[0] if name else "UNKNOWN")
    return found


def _homograph(host_unicode: str) -> UrlWarning | None:
    """Letters from other alphabets mixed with Latin in one label, or a label made to look like a Latin one."""
    lookalike_labels = []
    suspicious = False
    for label in host_unicode.split("."):
        if label.isascii():
            lookalike_labels.append(label)
            continue
        scripts = _scripts(label)
        folded = fold_confusables(label)
        if (len(scripts) > 1 and "LATIN" in scripts) or (folded != label and folded.isascii()):
            suspicious = True
        lookalike_labels.append(folded if folded.isascii() else label)
    if not suspicious:
        return None
    lookalike = ".".join(lookalike_labels)
    return UrlWarning(
        "homograph",
        f"The host name uses letters from another alphabet that look like Latin ones: it looks like "
        f"“{lookalike}” but is a different site ({host_unicode}).",
    )


@dataclass(frozen=True)
class _Href:
    protocol: str
    userinfo: str
    hostname: str
    port: str
    pathname: str
    search: str


def _split_href(href: str) -> _Href:
    """The parts of a URL as the standard serialises it (ada's href): one call into ada, then plain string work,
    which is several times faster than reading each part through the binding. Refuses anything but http(s)."""
    protocol = href[: href.index(":") + 1]
    _refuse_scheme(protocol)
    rest = href[len(protocol) + 2 :]  # after "//", always there for http and https
    slash = rest.find("/")
    authority, path_and_more = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    userinfo, _, hostport = authority.rpartition("@")  # an @ inside the user name is escaped as %40
    if hostport.startswith("["):
        close = hostport.index("]") + 1
        hostname, port = hostport[:close], hostport[close + 1 :]
    else:
        hostname, _, port = hostport.partition(":")
    path_and_query = path_and_more.split("#", 1)[0]
    pathname, mark, query = path_and_query.partition("?")
    return _Href(protocol, userinfo, hostname, port, pathname, mark + query)


def canonical_url(raw: str) -> CanonicalUrl:
    """The canonical form of a reported web address, or UrlRefused with a code and a plain message."""
    if not isinstance(raw, str):
        raise UrlRefused("malformed", "A web address must be text.")
    if len(raw) > MAX_INPUT_LENGTH:
        raise UrlRefused(
            "too_long", f"This address is {len(raw):,} characters long; real links are under {MAX_INPUT_LENGTH:,}."
        )
    text = raw.strip(_C0_OR_SPACE).rstrip(".,;")
    if not text:
        raise UrlRefused("empty", "The web address is empty.")
    if text.startswith(("<", '"', "'")) and text.endswith((">", '"', "'")):
        text = text[1:-1].strip()
    try:
        href = ada_url.normalize_url(_with_scheme(text))
    except ValueError:
        raise UrlRefused("malformed", "This is not a web address a browser could open.") from None
    parts = _split_href(href)
    if not parts.hostname:
        raise UrlRefused("malformed", "This web address has no host name.")
    if parts.hostname.startswith("["):
        host_kind = _check_ip_host(parts.hostname, "ipv6")
        host = host_unicode = parts.hostname
    elif _IPV4.fullmatch(parts.hostname):
        host_kind = _check_ip_host(parts.hostname, "ipv4")
        host = host_unicode = parts.hostname
    else:
        host = parts.hostname.rstrip(".")
        _check_domain(host)
        host_kind = "domain"
        host_unicode = ada_url.idna_to_unicode(host) if "xn--" in host else host
    warnings = []
    if parts.userinfo:
        who = parts.userinfo.split(":", 1)[0]  # never echo a password
        warnings.append(
            UrlWarning(
                "userinfo",
                f"The part before “@” ({who or 'a password'}) is not the website: this address is on {host_unicode}.",
            )
        )
    if "\\" in text.split("?", 1)[0]:
        warnings.append(
            UrlWarning(
                "disguised_host",
                f"The address has a backslash in it: a browser reads it as being on {host_unicode}, whatever the "
                "rest of it says.",
            )
        )
    if host_kind == "domain" and host_unicode != host and (found := _homograph(host_unicode)) is not None:
        warnings.append(found)
    port = parts.port  # the standard drops a default port already
    netloc = f"{host}:{port}" if port else host
    path = _canonical_percent(parts.pathname) or "/"
    query = _canonical_query(parts.search)
    rest = path + query
    key_host = host[4:] if host.startswith("www.") else host
    return CanonicalUrl(
        url=f"{parts.protocol}//{netloc}{rest}",
        key=f"{key_host}:{port}{rest}" if port else key_host + rest,
        host=host,
        host_unicode=host_unicode,
        host_kind=host_kind,
        warnings=tuple(warnings),
    )
