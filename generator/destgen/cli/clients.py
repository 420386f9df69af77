"""The client every sandbox-changing command builds from its options: base URL, credentials from
the environment (optionally for another sandbox), retries and the request deadline.
"""

from __future__ import annotations

import argparse
import dataclasses

import httpx
from destgen_runtime.transport.client import FlowServiceClient
from destgen_runtime.transport.credentials import (
    Identity,
    check_sandbox_name,
    identity_from_env,
)
from destgen_runtime.transport.deadlines import Deadlines
from destgen_runtime.transport.retry import RetryPolicy


def client_from_args(
    args: argparse.Namespace,
    *,
    sandbox: str | None = None,
    http: httpx.Client | None = None,
    identity: Identity | None = None,
) -> FlowServiceClient:
    """A FlowServiceClient for ``--base-url``, ``--token-url``, ``--retries`` and
    ``--request-timeout``; ``sandbox`` overrides AEP_SANDBOX_NAME (as does ``--sandbox``).
    ``identity``: one already made (its OAuth token shared by every client given it).
    """
    identity = identity or identity_from_env(token_url=args.token_url)
    sandbox = sandbox or getattr(args, "sandbox", None)
    if sandbox:
        check_sandbox_name(sandbox, "the sandbox")
        identity = dataclasses.replace(identity, sandbox=sandbox)
    return FlowServiceClient(
        base_url=args.base_url,
        identity=identity,
        retry=RetryPolicy(max_attempts=args.retries),
        deadlines=Deadlines(request_s=args.request_timeout),
        http=http,
    )
