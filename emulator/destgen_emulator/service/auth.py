"""Gateway checks (bearer token, x-api-key, x-gw-ims-org-id) and the IMS-style token endpoint.

Like a trial sandbox it accepts any non-empty credentials unless started with fixed ones.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from destgen_emulator.service.errors import ApiError, gateway

TOKEN_LIFETIME_SECONDS = 86399


@dataclass
class AuthPolicy:
    """What the emulator accepts: an optional fixed token, API key and org id; tokens it issued."""

    token: str | None = None
    api_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    issued: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, authorization: str | None, api_key: str | None, org_id: str | None) -> None:
        """Raise a 401/403 ``ApiError`` unless the request headers satisfy the policy."""
        token = (authorization or "").removeprefix("Bearer ").removeprefix("bearer ").strip()
        if not token:
            raise gateway(403, "403010", "Oauth token is missing.")
        if not self._token_ok(token):
            raise gateway(401, "401013", "Oauth token is not valid")
        if not api_key:
            raise gateway(403, "403000", "Api Key is required")
        if self.api_key is not None and api_key != self.api_key:
            raise gateway(403, "403003", "Api Key is invalid")
        if not org_id:
            raise gateway(400, "400003", "Missing header: x-gw-ims-org-id")

    def _token_ok(self, token: str) -> bool:
        with self._lock:
            if token in self.issued:
                return True
        if self.token is not None:
            return secrets.compare_digest(token, self.token)
        return self.client_id is None  # open mode: any non-empty token

    def issue(
        self, client_id: str | None, client_secret: str | None, grant_type: str | None
    ) -> dict[str, object]:
        """A token response for a client-credentials request; 400 or 401 when it is not one."""
        if grant_type != "client_credentials":
            raise ApiError(
                400,
                {"error": "unsupported_grant_type", "error_description": "use client_credentials"},
            )
        if not client_id or not client_secret:
            raise ApiError(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "client_id and client_secret are required",
                },
            )
        if self.client_id is not None and (
            client_id != self.client_id
            or not secrets.compare_digest(client_secret, self.client_secret or "")
        ):
            raise ApiError(
                401, {"error": "invalid_client", "error_description": "invalid client credentials"}
            )
        token = "emu-" + secrets.token_urlsafe(24)
        with self._lock:
            self.issued.add(token)
        return {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME_SECONDS}
