"""Server-side cache of the public Most Wanted pages (list, person pages, photos), ADR 0094.

These are the most visited pages of the service and the same for everyone, yet each one cost ~10 ms of
CPU (four queries and a template) on the 2-core reference machine. Rendered pages are kept in the shared
cache (Redis in production) under a *generation*: any save or delete of a Most Wanted record starts a
new generation, so a publication, a located person or a withdrawal shows at once, not after a timeout.
The generation moves both when the row is written and again after its transaction commits, so a page
rendered from the old rows in between never outlives the commit. A short timeout is the safety net for
writes that bypass model signals (`QuerySet.update`).

Only anonymous GETs are served from or stored in it (no session cookie): the pages hold no personal or
session data, and a request that carries a session is rendered as before. The base template's inline
script carries the per-response CSP nonce; a cached page holds a placeholder that is replaced with this
response's nonce, so the Content-Security-Policy stays per response.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from .models import WantedPerson

GENERATION_KEY = "wanted:public:generation"
NONCE_PLACEHOLDER = "wanted-page-cache-csp-nonce-placeholder"
_MISSING = object()


def enabled() -> bool:
    return settings.SAFEGUARD_PUBLIC_PAGE_CACHE_SECONDS > 0


def cacheable(request: HttpRequest) -> bool:
    """Anonymous GET/HEAD only: a request with a session is never served from, nor stored in, the cache."""
    return enabled() and request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def new_generation() -> None:
    """Make every cached public page stale (called on any save or delete of a Most Wanted record)."""
    if not enabled():
        return
    cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    # Again after commit: a page rendered between the write and the commit shows the old rows.
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None))


def _generation(request: HttpRequest) -> str:
    # Read once per request: the ETag, Last-Modified and body of one response come from one generation.
    found = getattr(request, "_wanted_generation", None)
    if found is None:
        found = cache.get(GENERATION_KEY)
        if found is None:
            cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
            found = cache.get(GENERATION_KEY)
        request._wanted_generation = found
    return found


def remembered(*, request: HttpRequest, name: str, compute: Callable[[], Any]) -> Any:
    """A value (e.g. a page's last change) kept for this generation; computed when absent or not cacheable."""
    memo = request.__dict__.setdefault("_wanted_memo", {})
    if name in memo:
        return memo[name]
    if not cacheable(request):
        memo[name] = compute()
        return memo[name]
    key = f"wanted:public:{_generation(request)}:{name}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=settings.SAFEGUARD_PUBLIC_PAGE_CACHE_SECONDS)
    memo[name] = value
    return value


def page(*, request: HttpRequest, name: str, render: Callable[[dict], HttpResponse]) -> HttpResponse:
    """The page from the cache, or rendered (with the nonce placeholder) and stored when it is a 200.

    `render` receives extra template context (the placeholder nonce) and returns the response.
    """
    if not cacheable(request):
        return render({})
    key = f"wanted:public:{_generation(request)}:page:{request.get_host()}:{name}"
    stored = cache.get(key)
    if stored is None:
        response = render({"CSP_NONCE": NONCE_PLACEHOLDER})
        if response.status_code != 200 or response.streaming:
            return _with_nonce(request, response)
        stored = (response.content, response["Content-Type"])
        cache.set(key, stored, timeout=settings.SAFEGUARD_PUBLIC_PAGE_CACHE_SECONDS)
    content, content_type = stored
    return _with_nonce(request, HttpResponse(content, content_type=content_type))


def _with_nonce(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if not response.streaming and NONCE_PLACEHOLDER.encode() in response.content:
        # Reading request.csp_nonce is what makes django-csp put this nonce in the header.
        response.content = response.content.replace(NONCE_PLACEHOLDER.encode(), str(request.csp_nonce).encode())
    return response


def _record_changed(sender, **kwargs) -> None:
    new_generation()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_record_changed, sender=WantedPerson, dispatch_uid="wanted-page-cache-save")
    post_delete.connect(_record_changed, sender=WantedPerson, dispatch_uid="wanted-page-cache-delete")
