"""Where credentials may be sent: ``https://`` anywhere, plain ``http://`` to loopback only.

The access token travels in every request and the client secret in every token request: over
plain HTTP to any other host either would be handed to whoever is on the path.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

from destgen_runtime.transport.errors import DestgenError

LOOPBACK_HOSTS = ("localhost", "::1")


def secure_url(url: str, what: str, hint: str) -> str:
    """``url`` without a trailing slash when credentials may go there; DestgenError naming
    ``what`` (``base URL``) and ``hint`` (``--base-url or AEP_BASE_URL``) otherwise.
    """
    url = url.rstrip("/")
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and is_loopback(host):
        return url
    raise DestgenError(
        f"{what} {url!r} refused: use https://, or http:// on a loopback address only ({hint})"
    )


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals only: a DNS name that merely starts with
    ``127.`` (``127.attacker.example``) resolves wherever its owner likes.
    """
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
