"""What every page shares about its request: where to go back to after a form.

A page opened from another one (the 360° card, Today, the relationship map) carries that page in
``next``; after the write it returns there. Only an address on this site is followed, so a
crafted link cannot send the user elsewhere (no open redirect).
"""

from __future__ import annotations

from typing import overload

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


@overload
def next_url(request: HttpRequest) -> str | None: ...
@overload
def next_url(request: HttpRequest, fallback: str) -> str: ...


def next_url(request: HttpRequest, fallback: str | None = None) -> str | None:
    """The page to go back to (``next`` in the POST, else in the query string) when it is on
    this site, else ``fallback``."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback
