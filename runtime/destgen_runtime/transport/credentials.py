"""Access tokens: a static one, or OAuth server-to-server client credentials cached and refreshed
once.

Token values never reach repr, str, logs or exceptions; only the Authorization header holds them.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from destgen_runtime.api.constants import (
    DEFAULT_TOKEN_URL,
    SANDBOX_NAME,
    SANDBOX_NAME_RULE,
    TOKEN_REFRESH_MARGIN_S,
)
from destgen_runtime.transport.errors import (
    AuthError,
    DestgenError,
    TransportError,
    connect_failure,
)
from destgen_runtime.transport.urls import secure_url


class Credentials(Protocol):
    """Where the access token comes from: a fixed token or the OAuth server-to-server flow."""

    def token(self, http: httpx.Client) -> str:
        """A valid access token (fetched with ``http`` when needed)."""

    async def atoken(self, http: httpx.AsyncClient) -> str:
        """A valid access token (fetched with ``http`` when needed)."""


@dataclass(frozen=True)
class StaticToken:
    """A fixed access token, never printed."""

    value: str = field(repr=False)

    def token(self, http: httpx.Client) -> str:
        """The fixed token."""
        return self.value

    async def atoken(self, http: httpx.AsyncClient) -> str:
        """The fixed token."""
        return self.value


MAX_TOKEN_LIFETIME_S = 86_400.0


@dataclass
class ClientCredentials:
    """OAuth server-to-server: one token for all callers, refreshed ``margin`` seconds before
    expiry.
    """

    client_id: str
    client_secret: str = field(repr=False)
    token_url: str = DEFAULT_TOKEN_URL
    scope: str = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"
    clock: Callable[[], float] = time.monotonic
    margin: float = TOKEN_REFRESH_MARGIN_S
    fetches: int = 0  # how many times a token was requested: tests check "once under concurrency"
    _value: str | None = field(default=None, repr=False)
    _expires: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _alock: asyncio.Lock | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # The client secret is in every token request: never over plain HTTP to another host.
        self.token_url = secure_url(self.token_url, "token URL", "--token-url or AEP_TOKEN_URL")

    def _fresh(self) -> str | None:
        return (
            self._value
            if self._value is not None and self.clock() < self._expires - self.margin
            else None
        )

    def _form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scope,
        }

    def _store(self, response: httpx.Response) -> str:
        self.fetches += 1
        if response.status_code != 200:
            # No code of Adobe's here: the message names the endpoint (never "token token").
            raise AuthError(
                response.status_code, None, "the token endpoint refused the client credentials"
            )
        try:
            body: Any = response.json()
            value, lifetime = body["access_token"], float(body.get("expires_in", 3600))
        except (ValueError, TypeError, KeyError, AttributeError):
            # Not JSON, not an object, no token, a lifetime that is not a number: all one answer.
            raise AuthError(
                response.status_code, None, "the token endpoint answered without an access token"
            ) from None
        if not isinstance(value, str) or not value:
            raise AuthError(response.status_code, None, "the token endpoint sent an empty token")
        self._value = value
        # A lifetime beyond a day (or no finite number) is a server's mistake, not a promise: the
        # token is asked for again after a day at most.
        if not 0 < lifetime <= MAX_TOKEN_LIFETIME_S:
            lifetime = MAX_TOKEN_LIFETIME_S if lifetime > 0 else 0.0
        self._expires = self.clock() + lifetime
        return self._value

    def token(self, http: httpx.Client) -> str:
        """The cached token, or a new one from the token endpoint once it expires."""
        with self._lock:
            if (fresh := self._fresh()) is not None:
                return fresh
            try:
                return self._store(http.post(self.token_url, data=self._form()))
            except httpx.TransportError as exc:
                raise self._unreachable(exc) from None

    async def atoken(self, http: httpx.AsyncClient) -> str:
        """The cached token, or a new one from the token endpoint; one fetch for all waiters."""
        if self._alock is None:
            self._alock = asyncio.Lock()
        async with self._alock:
            # Every waiting task finds the token the first one fetched.
            if (fresh := self._fresh()) is not None:
                return fresh
            try:
                return self._store(await http.post(self.token_url, data=self._form()))
            except httpx.TransportError as exc:
                raise self._unreachable(exc) from None

    def _unreachable(self, exc: httpx.TransportError) -> TransportError:
        # The form (the client secret) never reaches the message: only what failed, and where.
        what, final = connect_failure(exc, reached=self.fetches > 0)
        return TransportError(
            f"token request ({self.token_url}): {what} (set --token-url or AEP_TOKEN_URL)",
            sent=False,
            final=final,
        )


@dataclass(frozen=True)
class Identity:
    """Who is calling: credentials plus the headers every request carries."""

    credentials: Credentials = field(repr=False)
    api_key: str = field(repr=False)
    org_id: str
    sandbox: str | None = None


def identity_from_env(
    env: Mapping[str, str] = os.environ, token_url: str | None = None
) -> Identity:
    """AEP_ACCESS_TOKEN, or AEP_CLIENT_ID + AEP_CLIENT_SECRET; AEP_API_KEY, AEP_ORG_ID,
    AEP_SANDBOX_NAME.
    """
    missing = [name for name in ("AEP_API_KEY", "AEP_ORG_ID") if not env.get(name)]
    credentials: Credentials
    if env.get("AEP_ACCESS_TOKEN"):
        credentials = StaticToken(env["AEP_ACCESS_TOKEN"])
    elif env.get("AEP_CLIENT_ID") and env.get("AEP_CLIENT_SECRET"):
        url = token_url or env.get("AEP_TOKEN_URL") or DEFAULT_TOKEN_URL
        credentials = ClientCredentials(
            env["AEP_CLIENT_ID"], env["AEP_CLIENT_SECRET"], token_url=url
        )
    else:
        missing.append("AEP_ACCESS_TOKEN (or AEP_CLIENT_ID and AEP_CLIENT_SECRET)")
    if missing:
        raise DestgenError("missing environment variable(s): " + ", ".join(missing))
    sandbox = env.get("AEP_SANDBOX_NAME") or None
    if sandbox is not None:
        check_sandbox_name(sandbox, "AEP_SANDBOX_NAME")
    return Identity(credentials, env["AEP_API_KEY"], env["AEP_ORG_ID"], sandbox)


def check_sandbox_name(name: str, where: str) -> str:
    """``name`` when it is a sandbox name the service takes; DestgenError naming ``where`` (the
    variable or option it came from) otherwise.
    """
    if SANDBOX_NAME.fullmatch(name) is None:
        raise DestgenError(f"{where}: {name!r} is not a sandbox name ({SANDBOX_NAME_RULE})")
    return name
