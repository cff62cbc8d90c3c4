"""Who may talk to the server, and what the browser may do with its pages.

- ``is_loopback``: the default bind is 127.0.0.1; any other bind needs a token (checked by
  ``reportedly serve`` before it starts).
- ``SecurityMiddleware``: with a token, every request must carry it (``Authorization: Bearer T``,
  the ``reportedly_token`` cookie, or ``?token=T`` which sets that HttpOnly cookie and redirects
  to the same URL without it); otherwise 401. Every response carries a Content-Security-Policy
  that forbids inline script and style, plus the usual hardening headers. Cross-site POSTs
  (an ``Origin`` that is not this server) are refused.
- ``safe_url``: only http(s) URLs are ever rendered as links.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from urllib.parse import urlencode

from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "reportedly_token"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; object-src 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",  # keeps Origin on our own form POSTs (no-referrer sends "null")
    "cross-origin-opener-policy": "same-origin",
}
_HTTP_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_url(url: object) -> str | None:
    """``url`` when it is a plain http(s) URL, else None (never a ``javascript:`` link)."""
    if isinstance(url, str) and _HTTP_URL.match(url):
        return url
    return None


def _token_matches(supplied: str | None, token: str) -> bool:
    return bool(supplied) and hmac.compare_digest(supplied.encode(), token.encode())


class SecurityMiddleware:
    """Token check (when a token is set), same-origin POSTs, and security headers."""

    def __init__(self, app: ASGIApp, token: str | None = None):
        self.app = app
        self.token = token or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope):
        request = Request(scope)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return PlainTextResponse("Cross-origin request refused.", status_code=403)
        if self.token is None:
            return None
        query_token = request.query_params.get("token")
        if _token_matches(query_token, self.token):
            # Trade the token in the URL for a cookie, then drop it from the address bar.
            remaining = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = URL(scope=scope).replace(query=urlencode(remaining))
            response = RedirectResponse(str(target.path) + (f"?{target.query}" if target.query else ""), 303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict", path="/")
            return response
        auth = Headers(scope=scope).get("authorization", "")
        bearer = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        if _token_matches(bearer, self.token) or _token_matches(request.cookies.get(COOKIE), self.token):
            return None
        headers = {"www-authenticate": 'Bearer realm="reportedly"'}
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "unauthorized", "detail": "token required"}, 401, headers)
        return PlainTextResponse(
            "401 Unauthorized: this server needs its token "
            "(Authorization: Bearer <token>, or open any page once with ?token=<token>).",
            401,
            headers,
        )


def _same_origin(request: Request) -> bool:
    """A state-changing request must come from this server's own pages (or no browser at all)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host
