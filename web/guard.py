"""The gate every request passes before a page sees it: host, access token, body size, session, headers.

* Host: a server on the loopback interface answers only to ``127.0.0.1``, ``localhost`` and ``[::1]`` in the Host
  header, so that a web page elsewhere cannot reach it through a rebound DNS name.
* Access token: required whenever the server listens on another interface (``keiyaku serve`` makes one if none is
  given). It is presented once as ``?token=…`` (the URL the command prints), after which an HttpOnly cookie
  carries a keyed hash of it; ``Authorization: Bearer …`` works for scripts.
* Body size: a request body larger than ``max_body`` is refused (413) before or while it is read.
* Session: a random id in an HttpOnly, SameSite=Strict cookie; the forms' CSRF token is a keyed hash of it.
* Headers on every response: Content-Security-Policy (scripts and styles only from this server, no inline code, no
  frames, forms post only here), nosniff, no referrer, no framing, no caching of pages.

Refusals are short Japanese pages (or JSON for the page's script) and change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
SESSION_COOKIE = "keiyaku_sid"
TOKEN_COOKIE = "keiyaku_token"
MAX_BODY = 1024 * 1024  # an answers form is a few KiB; an uploaded answers file at most 512 KiB

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    secret: bytes
    token: str | None = None  # required from every request when set
    check_host: bool = True  # loopback only: the Host header must name this machine
    max_body: int = MAX_BODY


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def keyed(secret: bytes, purpose: str, value: str) -> str:
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(secret: bytes, sid: str) -> str:
    return keyed(secret, "csrf", sid)


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def refusal(status: int, message: str, wants_json: bool, extra_headers: list | None = None):
    """A complete response (start, body) saying in Japanese why the request was refused."""
    if wants_json:
        body = json.dumps({"ok": False, "message": message}, ensure_ascii=False).encode()
        kind = b"application/json; charset=utf-8"
    else:
        body = ("<!doctype html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>keiyaku</title>"
                "<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"narrow\">"
                f"<h1>keiyaku</h1><p class=\"error-page\" role=\"alert\">{html.escape(message)}</p>"
                "<p><a href=\"/\">案件一覧へ</a></p></main></body></html>").encode()
        kind = b"text/html; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())] + (extra_headers or [])
    return {"type": "http.response.start", "status": status, "headers": headers}, {"type": "http.response.body", "body": body}


class Guard:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        wants_json = headers.get("x-requested-with") == "fetch"
        cookies = _cookies(headers.get("cookie", ""))
        set_cookies: list[tuple[bytes, bytes]] = []

        async def send_secured(message):
            if message["type"] == "http.response.start":
                message = dict(message)
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in SECURITY_HEADERS if h[0] not in names]
                if b"cache-control" not in names:
                    path = scope.get("path", "")
                    extra.append((b"cache-control", b"no-cache" if path.startswith("/static/") else b"no-store"))
                message["headers"] = list(message.get("headers", [])) + extra + set_cookies
            await send(message)

        async def refuse(status: int, text: str, extra=None):
            start, body = refusal(status, text, wants_json, extra)
            await send_secured(start)
            await send_secured(body)

        s = self.settings
        if s.check_host and not is_loopback(_host_name(headers.get("host", ""))):
            await refuse(400, "このサーバーは 127.0.0.1（localhost）からの接続だけを受け付けます。アドレス欄のホスト名を確認してください。")
            return
        if s.token:
            expected = keyed(s.secret, "token", s.token)
            given = cookies.get(TOKEN_COOKIE, "")
            bearer = headers.get("authorization", "")
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            ok = hmac.compare_digest(given, expected) or (
                bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:].strip().encode(), s.token.encode()))
            if not ok and "token" in query and scope["method"] == "GET":
                if hmac.compare_digest(query["token"].encode("utf-8", "replace"), s.token.encode()):
                    rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
                    location = scope.get("path", "/") + (f"?{rest}" if rest else "")
                    cookie = f"{TOKEN_COOKIE}={expected}; Path=/; HttpOnly; SameSite=Strict"
                    await send_secured({"type": "http.response.start", "status": 303,
                                        "headers": [(b"location", location.encode("utf-8")),
                                                    (b"set-cookie", cookie.encode()), (b"content-length", b"0")]})
                    await send_secured({"type": "http.response.body", "body": b""})
                    return
            if not ok:
                await refuse(401, "アクセストークンが必要です。keiyaku serve が表示した URL（…/?token=…）を開いてください。")
                return
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                await refuse(400, "リクエストの形式が正しくありません。")
                return
            if int(length) > s.max_body:
                await refuse(413, f"送信された内容が大きすぎます（{s.max_body // 1024} KiB まで）。何も保存していません。")
                return
        sid = cookies.get(SESSION_COOKIE, "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{32,64}", sid):
            sid = secrets.token_urlsafe(32)
            set_cookies.append((b"set-cookie", f"{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Strict".encode()))
        scope.setdefault("state", {})
        scope["state"]["sid"] = sid
        scope["state"]["csrf"] = csrf_token(s.secret, sid)
        scope["state"]["wants_json"] = wants_json

        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > s.max_body:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send_secured)


def _cookies(header: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # noqa: BLE001 - a malformed cookie header is no cookie
        return {}
    return {k: v.value for k, v in jar.items()}
