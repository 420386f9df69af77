"""The option groups several commands share, declared once: ``--json``, ``--sandbox``, where
requests go and how hard they try, the activation files a command reads, and the work-in-parallel
pair of plan, apply and promote. A command module adds the groups it takes (commands/).

Nothing here imports what the commands need: building a parser stays fast.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from destgen_runtime.api.constants import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    MAX_ATTEMPTS,
    REQUEST_DEADLINE_S,
)

Parser = argparse.ArgumentParser
ACTIVATION_FILES = "activation files or folders of them (*.json, *.yaml, *.yml)"
CREDENTIALS = (
    "Credentials: AEP_ACCESS_TOKEN (or AEP_CLIENT_ID + AEP_CLIENT_SECRET), AEP_API_KEY, "
    "AEP_ORG_ID."
)


def add_json(parser: Parser, says: str = "print one JSON document") -> None:
    """``--json``: one JSON document on standard output instead of text (every command alike)."""
    parser.add_argument("--json", action="store_true", help=says)


def add_sandbox(parser: Parser) -> None:
    """``--sandbox``: the same choice of sandbox in every networked command."""
    parser.add_argument(
        "--sandbox", help="the sandbox to work on (default AEP_SANDBOX_NAME; none: production)"
    )


def add_base_url(parser: Parser) -> None:
    """The one ``--base-url`` option every command that talks to the API takes."""
    parser.add_argument(
        "--base-url",
        default=os.environ.get("AEP_BASE_URL"),
        help="API base URL (default https://platform.adobe.io or AEP_BASE_URL)",
    )


def add_client_options(parser: Parser) -> None:
    """Where requests go and how hard they try: shared by every command that changes a sandbox."""
    add_base_url(parser)
    parser.add_argument(
        "--token-url", help="OAuth token endpoint for client credentials (or AEP_TOKEN_URL)"
    )
    parser.add_argument(
        "--request-timeout",
        type=seconds,
        default=REQUEST_DEADLINE_S,
        metavar="SECONDS",
        help="longest time one request may take, answer included, however slowly a server "
        f"sends it; a retried request gets it again (default {REQUEST_DEADLINE_S:g})",
    )
    parser.add_argument(
        "--retries",
        type=whole_number(1, 20),
        default=MAX_ATTEMPTS,
        metavar="N",
        help="tries per request for 429, 5xx and network faults, 1 for none; waits double from "
        f"{BACKOFF_BASE_S:g} s up to {BACKOFF_CAP_S:g} s, jittered (default {MAX_ATTEMPTS}: about "
        "a minute). A create whose outcome is unknown is looked up, never sent twice",
    )


def add_activation_paths(parser: Parser, *, required: bool = False, help: str = "") -> None:
    """The activation files a command reads: files or folders; without ``required``, a
    project's own activation files when none are given.
    """
    default = "" if required else " (default in a project: its activation files)"
    parser.add_argument(
        "paths",
        nargs="+" if required else "*",
        type=Path,
        metavar="FILE|DIR",
        help=(help or ACTIVATION_FILES) + default,
    )


def add_parallel(parser: Parser, *, as_for: str = "") -> None:
    """``--concurrency`` and ``--rate``: files at once, requests a second across them all."""
    parser.add_argument(
        "--concurrency",
        type=whole_number(1, 64),
        default=8,
        metavar="N",
        help=as_for or "files worked on at once (default 8)",
    )
    parser.add_argument(
        "--rate",
        type=positive_rate,
        metavar="PER_SECOND",
        help=as_for
        or "at most this many requests a second across all files (default: no limit); a "
        "429's Retry-After pauses every file",
    )


def add_yes(parser: Parser, what: str = "apply") -> None:
    """``--yes``: go ahead without a terminal's confirmation."""
    parser.add_argument("--yes", action="store_true", help=f"{what} without asking")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (ASCII digits only)."""

    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}: {text!r}"
            )
        return int(text)

    return parse


def positive_rate(text: str) -> float:
    """A positive, finite rate (requests a second), for argparse."""
    try:
        return seconds(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"must be a positive rate: {text!r}") from None


def seconds(text: str) -> float:
    """A positive, finite number of seconds, for argparse."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value
