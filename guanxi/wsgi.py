"""The WSGI application, as `guanxi serve` (waitress or gunicorn) or any WSGI server runs it.

Behind a reverse proxy (nginx, Caddy, a cloud load balancer) set GUANXI_TRUSTED_PROXIES to the
proxies' addresses: requests from them take the client's address from X-Forwarded-For, the scheme
from X-Forwarded-Proto and the host from X-Forwarded-Host, so throttles, audit history and
links see the client, not the proxy. Headers from anyone else are ignored: a client could
otherwise claim any address.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def behind_proxies(app: WSGIApp, trusted: frozenset[str]) -> WSGIApp:
    """Wrap ``app`` so the X-Forwarded-* headers set by ``trusted`` proxies are believed."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REMOTE_ADDR") in trusted:
            # Walk X-Forwarded-For from the right: each proxy appends the address it saw; the
            # first one that is not a trusted proxy is the client.
            hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            for hop in reversed([h for h in hops if h]):
                environ["REMOTE_ADDR"] = hop
                if hop not in trusted:
                    break
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
            host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
            if host:
                environ["HTTP_HOST"] = host
        return app(environ, start_response)

    return wrapped


def trusted_proxies() -> frozenset[str]:
    return frozenset(
        a.strip() for a in os.environ.get("GUANXI_TRUSTED_PROXIES", "").split(",") if a.strip()
    )


application = get_wsgi_application()
if trusted_proxies():
    application = behind_proxies(application, trusted_proxies())
