"""Where a networked command acts: one line naming the org, the sandbox and the base URL before
any request (as Terraform names its workspace and backend), a refusal when a command that
changes a sandbox is given none, and a warning for an ``AEP_*`` variable nobody reads.

Nothing here sends a request or reads a secret: the line is built from the options and the
environment alone, so it prints even when the credentials are about to be refused.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from destgen_runtime.api.constants import DEFAULT_BASE_URL

from destgen.cli.exit_codes import Exit

# Every AEP_* variable destgen reads: any other is a typo (AEP_SANDBOX for AEP_SANDBOX_NAME).
KNOWN_VARIABLES = (
    "AEP_ACCESS_TOKEN",
    "AEP_API_KEY",
    "AEP_BASE_URL",
    "AEP_CLIENT_ID",
    "AEP_CLIENT_SECRET",
    "AEP_ORG_ID",
    "AEP_SANDBOX_NAME",
    "AEP_TOKEN_URL",
)
# Commands that send requests (diff only with --live), and those of them that change a sandbox:
# those refuse to guess it, since the service's default is the production sandbox.
NETWORKED = frozenset(
    {
        "activate",
        "plan",
        "apply",
        "export",
        "promote",
        "destroy",
        "status",
        "datasets",
        "audiences",
        "fetch",
    }
    | {"doctor", "diff"}
)
CHANGES_A_SANDBOX = frozenset({"activate", "apply", "destroy"})
UNNAMED = "(none named: the service's default, production)"


@dataclass(frozen=True)
class Target:
    """The org, sandbox and base URL a command's requests go to, as the options give them."""

    org: str | None
    sandbox: str | None
    base_url: str

    def line(self) -> str:
        """``org X, sandbox Y, base URL Z``: what the command's first line says."""
        org = self.org or "(AEP_ORG_ID not set)"
        return f"org {org}, sandbox {self.sandbox or UNNAMED}, {self.base_url}"


def target_of(
    args: argparse.Namespace, env: Mapping[str, str] = os.environ, sandbox: str | None = None
) -> Target:
    """The target of ``args`` (``--base-url``, ``--sandbox``) and ``env``; ``sandbox`` wins over
    both (promote's target sandbox).
    """
    base_url = getattr(args, "base_url", None) or env.get("AEP_BASE_URL") or DEFAULT_BASE_URL
    chosen = sandbox or getattr(args, "sandbox", None) or env.get("AEP_SANDBOX_NAME") or None
    return Target(env.get("AEP_ORG_ID") or None, chosen, base_url.rstrip("/"))


def unknown_variables(env: Mapping[str, str] = os.environ) -> list[str]:
    """One warning per ``AEP_*`` variable destgen does not read, with the nearest known name."""
    warnings = []
    for name in sorted(env):
        if name.startswith("AEP_") and name not in KNOWN_VARIABLES:
            nearest = difflib.get_close_matches(name, KNOWN_VARIABLES, n=1, cutoff=0.5)
            hint = f"; did you mean {nearest[0]}?" if nearest else ""
            warnings.append(f"destgen: warning: {name} is not a variable destgen reads{hint}")
    return warnings


def announce(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> Exit | None:
    """Print where a networked command acts (stderr), with the unknown-variable warnings; an
    exit code when it must not run: a sandbox change with no sandbox named. None otherwise.
    """
    command = args.command
    if command not in NETWORKED or (command == "diff" and not getattr(args, "live", False)):
        return None
    for warning in unknown_variables(env):
        print(warning, file=sys.stderr)
    if command == "promote":
        where = target_of(args, env)
        line = (
            f"org {where.org or '(AEP_ORG_ID not set)'}, sandbox {args.from_sandbox} -> "
            f"{args.to_sandbox}, {where.base_url}"
        )
        print(f"destgen {command}: {line}", file=sys.stderr)
        return None
    where = target_of(args, env)
    print(f"destgen {command}: {where.line()}", file=sys.stderr)
    sends = not getattr(args, "dry_run", False)
    if command in CHANGES_A_SANDBOX and sends and where.sandbox is None:
        option = " or --sandbox" if hasattr(args, "sandbox") else ""
        print(
            f"destgen {command}: no sandbox named; set AEP_SANDBOX_NAME{option} (even to the "
            "production sandbox's name): a change never goes to the default sandbox by omission",
            file=sys.stderr,
        )
        return Exit.USAGE
    return None
