"""Reported web addresses made canonical: a table of tricky addresses, each with the outcome a person needs."""

import pytest

from safeguard.takedown.canonical import MAX_INPUT_LENGTH, UrlRefused, canonical_url

# raw address -> (canonical url, de-duplication key, host as a person reads it, warning codes)
CANONICAL = [
    # the ordinary cases
    ("https://files.example/a/b.png", "https://files.example/a/b.png", "files.example/a/b.png", "files.example", ()),
    ("HTTPS://FILES.Example/A/B.png", "https://files.example/A/B.png", "files.example/A/B.png", "files.example", ()),
    ("https://files.example", "https://files.example/", "files.example/", "files.example", ()),
    ("  https://files.example/x  \n", "https://files.example/x", "files.example/x", "files.example", ()),
    ("<https://files.example/x>", "https://files.example/x", "files.example/x", "files.example", ()),
    ("https://files.example/x.", "https://files.example/x", "files.example/x", "files.example", ()),
    # pasted without a scheme
    ("files.example/x", "http://files.example/x", "files.example/x", "files.example", ()),
    ("www.files.example/x", "http://www.files.example/x", "files.example/x", "www.files.example", ()),
    ("files.example:8080/x", "http://files.example:8080/x", "files.example:8080/x", "files.example", ()),
    ("//cdn.files.example/i.png", "http://cdn.files.example/i.png", "cdn.files.example/i.png", "cdn.files.example", ()),
    ("http:files.example/x", "http://files.example/x", "files.example/x", "files.example", ()),
    # default ports, trailing dots, www and scheme do not make a second item
    ("http://files.example:80/x", "http://files.example/x", "files.example/x", "files.example", ()),
    ("https://files.example:443/x", "https://files.example/x", "files.example/x", "files.example", ()),
    ("https://files.example./x", "https://files.example/x", "files.example/x", "files.example", ()),
    ("https://www.files.example/x", "https://www.files.example/x", "files.example/x", "www.files.example", ()),
    # percent-encoding tricks
    (
        "https://files.example/%7Euser/%41",
        "https://files.example/~user/A",
        "files.example/~user/A",
        "files.example",
        (),
    ),
    ("https://files.example/a%2fb", "https://files.example/a%2Fb", "files.example/a%2Fb", "files.example", ()),
    (
        "https://files.example/%2e%2e/secret",
        "https://files.example/secret",
        "files.example/secret",
        "files.example",
        (),
    ),
    ("https://files.example/a/./b/../c", "https://files.example/a/c", "files.example/a/c", "files.example", ()),
    ("https://files.example/%252e", "https://files.example/%252e", "files.example/%252e", "files.example", ()),
    ("https://files.example/a b", "https://files.example/a%20b", "files.example/a%20b", "files.example", ()),
    ("https://fil%65s.example/x", "https://files.example/x", "files.example/x", "files.example", ()),
    (
        "https://files.example/caf\u00e9",
        "https://files.example/caf%C3%A9",
        "files.example/caf%C3%A9",
        "files.example",
        (),
    ),
    ("https://files.ex\tample/x\n", "https://files.example/x", "files.example/x", "files.example", ()),
    # query: tracking dropped, the rest sorted; fragment dropped
    (
        "https://files.example/v?id=7&utm_source=chat&fbclid=abc",
        "https://files.example/v?id=7",
        "files.example/v?id=7",
        "files.example",
        (),
    ),
    (
        "https://files.example/v?b=2&a=1",
        "https://files.example/v?a=1&b=2",
        "files.example/v?a=1&b=2",
        "files.example",
        (),
    ),
    ("https://files.example/v?a=%7e", "https://files.example/v?a=~", "files.example/v?a=~", "files.example", ()),
    ("https://files.example/v?utm_medium=x", "https://files.example/v", "files.example/v", "files.example", ()),
    ("https://files.example/v#comment-3", "https://files.example/v", "files.example/v", "files.example", ()),
    # user names in front of the host: the real host is after the @
    (
        "http://trusted.example@files.example/x",
        "http://files.example/x",
        "files.example/x",
        "files.example",
        ("userinfo",),
    ),
    (
        "http://someone:hunter2@files.example/",
        "http://files.example/",
        "files.example/",
        "files.example",
        ("userinfo",),
    ),
    # a backslash ends the host, as browsers read it
    (
        "http://files.example\\@trusted.example/",
        "http://files.example/@trusted.example/",
        "files.example/@trusted.example/",
        "files.example",
        ("disguised_host",),
    ),
    # IP literals in every spelling browsers accept
    ("http://8.8.8.8/x", "http://8.8.8.8/x", "8.8.8.8/x", "8.8.8.8", ()),
    ("http://134744072/x", "http://8.8.8.8/x", "8.8.8.8/x", "8.8.8.8", ()),
    ("http://0x08080808/x", "http://8.8.8.8/x", "8.8.8.8/x", "8.8.8.8", ()),
    ("http://010.010.010.010/x", "http://8.8.8.8/x", "8.8.8.8/x", "8.8.8.8", ()),
    (
        "http://[2001:4860:4860:0:0:0:0:8888]/",
        "http://[2001:4860:4860::8888]/",
        "[2001:4860:4860::8888]/",
        "[2001:4860:4860::8888]",
        (),
    ),
    # internationalised names: stored as punycode, read in their own letters
    (
        "https://b\u00fccher.example/",
        "https://xn--bcher-kva.example/",
        "xn--bcher-kva.example/",
        "b\u00fccher.example",
        (),
    ),
    (
        "https://xn--bcher-kva.example/",
        "https://xn--bcher-kva.example/",
        "xn--bcher-kva.example/",
        "b\u00fccher.example",
        (),
    ),
    # homographs: Cyrillic letters that look like Latin ones
    (
        "https://\u0440\u0430\u0443\u0440\u0430l.example/",
        "https://xn--l-7sba6dbr.example/",
        "xn--l-7sba6dbr.example/",
        "\u0440\u0430\u0443\u0440\u0430l.example",
        ("homograph",),
    ),
    (
        "https://\u0430\u0440\u0440\u04cf\u0435.example/",
        "https://xn--80ak6aa92e.example/",
        "xn--80ak6aa92e.example/",
        "\u0430\u0440\u0440\u04cf\u0435.example",
        ("homograph",),
    ),
]


@pytest.mark.parametrize(
    ("raw", "url", "key", "host_unicode", "warnings"), CANONICAL, ids=[c[0][:60] for c in CANONICAL]
)
def test_canonical_form(raw, url, key, host_unicode, warnings):
    found = canonical_url(raw)
    assert (found.url, found.key, found.host_unicode) == (url, key, host_unicode)
    assert tuple(w.code for w in found.warnings) == warnings


# raw address -> refusal code
REFUSED = [
    ("", "empty"),
    ("   ", "empty"),
    ("javascript:alert(1)", "not_web"),
    ("JaVaScRiPt:alert(1)", "not_web"),
    (" javascript:alert(1)", "not_web"),
    ("data:text/html;base64,PGI+aGk8L2I+", "not_web"),
    ("blob:https://files.example/3f1c", "not_web"),
    ("file:///C:/Users/someone/picture.png", "not_web"),
    ("mailto:someone@files.example", "not_web"),
    ("tel:+447700900123", "not_web"),
    ("ftp://files.example/x", "not_web"),
    ("http://localhost/x", "not_public"),
    ("http://printer.local/x", "not_public"),
    ("http://intranet/x", "not_public"),
    ("http://127.0.0.1/x", "not_public"),
    ("http://2130706433/x", "not_public"),  # 127.0.0.1 written as one number
    ("http://0x7f.1/x", "not_public"),
    ("http://192.168.1.20/x", "not_public"),
    ("http://10.0.0.1/x", "not_public"),
    ("http://169.254.169.254/latest/meta-data/", "not_public"),
    ("http://[::1]/x", "not_public"),
    ("http://[fd00::1]/x", "not_public"),
    ("http://files.example:99999/x", "malformed"),
    ("http://", "malformed"),
    ("http://files exam ple/x", "malformed"),
    ("http://xn--.example/x", "malformed"),
    ("http://xn--zz.example/x", "malformed"),
    ("http://files..example/x", "malformed"),
    ("http://" + "a" * 64 + ".example/x", "malformed"),
    ("just some words", "malformed"),
    ("https://files.example/" + "a" * MAX_INPUT_LENGTH, "too_long"),
]


@pytest.mark.parametrize(("raw", "code"), REFUSED, ids=[r[0][:40] or "blank" for r in REFUSED])
def test_refused_with_a_code_and_a_message(raw, code):
    with pytest.raises(UrlRefused) as refused:
        canonical_url(raw)
    assert refused.value.code == code
    assert refused.value.message.endswith(".")


def test_a_password_in_the_address_is_never_repeated_in_the_warning():
    found = canonical_url("http://someone:hunter2@files.example/")
    assert "hunter2" not in found.warnings[0].message
    assert "files.example" in found.warnings[0].message


def test_the_warning_names_the_real_site_and_what_it_pretends_to_be():
    (warning,) = canonical_url("https://\u0440\u0430\u0443\u0440\u0430l.example/").warnings
    assert "paypal.example" in warning.message


def test_every_spelling_of_one_page_gives_one_key():
    spellings = [
        "https://www.files.example/Page?id=7",
        "http://files.example:80/Page?id=7&utm_campaign=x#top",
        "files.example/Page?id=7",
        "HTTPS://FILES.EXAMPLE./%50age?id=7",
        "http://trusted.example@www.files.example/Page?id=7",
    ]
    assert {canonical_url(s).key for s in spellings} == {"files.example/Page?id=7"}


def test_not_text_is_refused():
    with pytest.raises(UrlRefused) as refused:
        canonical_url(None)  # type: ignore[arg-type]
    assert refused.value.code == "malformed"
