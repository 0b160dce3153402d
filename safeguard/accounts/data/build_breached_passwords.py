"""Rebuild breached-passwords.txt.gz: Django's common-passwords list plus centre-specific-passwords.txt.

    .venv/bin/python safeguard/accounts/data/build_breached_passwords.py

Django's list (django/contrib/auth/common-passwords.txt.gz, 20,000 passwords from breach corpora compiled by
Royce Williams) is itself a breached-password list. The output is sorted and de-duplicated, one lower-case
password a line, gzipped with a fixed mtime so a rebuild gives the same bytes. To use a bigger list instead,
point SAFEGUARD_BREACHED_PASSWORDS at it (see README.md here).
"""

import gzip
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
DJANGO_LIST = Path(django.__file__).parent / "contrib" / "auth" / "common-passwords.txt.gz"


def lines(path: Path, *, comments: bool = False) -> set[str]:
    """The passwords in a file; with `comments`, lines starting with # are notes (Django's list has "#1..." ones)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return {s for line in f if (s := line.strip().lower()) and not (comments and s.startswith("#"))}


def main() -> None:
    passwords = lines(DJANGO_LIST) | lines(HERE / "centre-specific-passwords.txt", comments=True)
    body = "".join(f"{p}\n" for p in sorted(passwords)).encode()
    with open(HERE / "breached-passwords.txt.gz", "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(body)
    print(f"{len(passwords)} passwords written")


if __name__ == "__main__":
    main()
