"""Every ``destgen`` subcommand's arguments, declared without importing what the commands need.

`destgen --help` and `destgen generate` stay fast: the command modules load only when they run.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from destgen_runtime.api.constants import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    MAX_ATTEMPTS,
    REQUEST_DEADLINE_S,
)

from destgen.resources import default_specs_dir


def add_activate(commands: Any) -> None:
    """Add the ``activate`` and ``activation-schema`` subcommands to ``commands``."""
    act = commands.add_parser(
        "activate",
        help="run the whole activation described by a YAML or JSON file",
        description="Create or adopt (by name) the source, base and target connections and the "
        "dataflow, add audiences, mapping set, keys, marketing actions and file manifest. Secrets "
        'come only from environment variables ({"env": "NAME"}). Credentials: AEP_ACCESS_TOKEN '
        "or AEP_CLIENT_ID + AEP_CLIENT_SECRET, AEP_API_KEY, AEP_ORG_ID, AEP_SANDBOX_NAME. "
        "Exit 0 done, 1 invalid file or failed request, 2 unreadable file.",
    )
    act.add_argument("file", type=Path, metavar="FILE")
    act.add_argument(
        "--dry-run",
        action="store_true",
        help="send nothing and need no secrets: print each request as curl, secrets as ***",
    )
    act.add_argument(
        "--json", action="store_true", help="print the steps as one JSON document on stdout"
    )
    _add_client_options(act)
    add_sandbox(act)
    act.add_argument(
        "--deadline",
        type=_seconds,
        metavar="SECONDS",
        help="stop the whole activation (every request, retry and wait) after this long; an "
        "interrupted run is safe to run again (default: no limit)",
    )
    commands.add_parser("activation-schema", help="print the JSON Schema of activation files")


def add_json(parser: Any) -> None:
    """``--json``: one JSON document on standard output instead of text (every command alike)."""
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def add_sandbox(parser: Any) -> None:
    """``--sandbox``: the same choice of sandbox in every networked command."""
    parser.add_argument(
        "--sandbox", help="the sandbox to work on (default AEP_SANDBOX_NAME; none: production)"
    )


def _add_client_options(parser: Any) -> None:
    """Where requests go and how hard they try: shared by every command that changes a sandbox."""
    _add_base_url(parser)
    parser.add_argument(
        "--token-url", help="OAuth token endpoint for client credentials (or AEP_TOKEN_URL)"
    )
    parser.add_argument(
        "--request-timeout",
        type=_seconds,
        default=REQUEST_DEADLINE_S,
        metavar="SECONDS",
        help="longest time one request may take, answer included, however slowly a server "
        f"sends it; a retried request gets it again (default {REQUEST_DEADLINE_S:g})",
    )
    parser.add_argument(
        "--retries",
        type=_whole_number(1, 20),
        default=MAX_ATTEMPTS,
        metavar="N",
        help="tries per request for 429, 5xx and network faults, 1 for none; waits double from "
        f"{BACKOFF_BASE_S:g} s up to {BACKOFF_CAP_S:g} s, jittered (default {MAX_ATTEMPTS}: about "
        "a minute). A create whose outcome is unknown is looked up, never sent twice",
    )


def add_plan_apply(commands: Any) -> None:
    """Add ``plan`` and ``apply`` (destinations as code) to ``commands``."""
    files_help = "activation file, or a folder of them (*.json, *.yaml, *.yml)"
    plan = commands.add_parser(
        "plan",
        help="show what apply would change, per file (exit 3 when anything would)",
        description="Read the live entities and print, per file, what apply would create, change "
        "(old -> new) or, with --prune, remove. Secrets are never shown or compared. Exit 0 "
        "nothing to do, 3 changes pending, 1 error (invalid file or failed request).",
    )
    apply = commands.add_parser(
        "apply",
        help="make the sandbox match the files: create, change and (--prune) remove",
        description="Show the plan, then carry out exactly that plan with the documented calls: "
        "every PATCH sends If-Match, and an entity that changed since the plan stops the run. "
        "Given a saved plan (destgen plan --out PLAN), apply that plan, unchanged files only. "
        "Without --prune nothing is removed. A change needs --yes when there is no terminal to "
        "confirm on. Exit 0 done (or nothing to do), 1 error.",
    )
    for parser in (plan, apply):
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            metavar="FILE|DIR",
            help=files_help + " (default in a project: its activation files)",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="also remove audiences and flow settings (mandatory fields, deduplication keys, "
            "marketing actions) the file leaves out",
        )
        add_json(parser)
        add_sandbox(parser)
        parser.add_argument(
            "--concurrency",
            type=_whole_number(1, 64),
            default=8,
            metavar="N",
            help="files worked on at once (default 8)",
        )
        parser.add_argument(
            "--rate",
            type=_positive_rate,
            metavar="PER_SECOND",
            help="at most this many requests a second across all files (default: no limit); a "
            "429's Retry-After pauses every file",
        )
        _add_client_options(parser)
    # A plan never sends credentials, so it compares as apply does without --rotate-secrets.
    plan.set_defaults(rotate_secrets=False)
    plan.add_argument(
        "--out",
        type=Path,
        metavar="PLAN",
        help="save the plan (changes and the etags it read, no secrets) for `destgen apply PLAN`, "
        "which applies it only while nothing it read has changed",
    )
    apply.add_argument("--yes", action="store_true", help="apply without asking")
    apply.add_argument(
        "--change-shared",
        action="store_true",
        help="also change connections that other dataflows use, or rename connections found "
        "through a dataflow of the file's name (the plan names them; without this flag apply "
        "refuses)",
    )
    apply.add_argument(
        "--rotate-secrets",
        action="store_true",
        help="send the files' credentials to existing base connections (they cannot be read "
        "back, so they are never compared)",
    )


def add_promote(commands: Any) -> None:
    """Add ``promote`` (a destination setup from one sandbox to another) to ``commands``."""
    promote = commands.add_parser(
        "promote",
        help="copy destination setups from one sandbox to another, resolving ids by name",
        description="Take the files (or export every destination dataflow of --from-sandbox), "
        "resolve each audience and dataset by name in --to-sandbox (every missing one is "
        "listed, and nothing changes), show the plan there and apply it. A production sandbox "
        "is changed only with --yes, or when its name is typed at a terminal. Credentials come "
        "from this environment, never from the source sandbox. Exit 0 done, 1 error.",
    )
    promote.add_argument(
        "paths", nargs="*", type=Path, metavar="FILE|DIR", help="files to promote (default: export)"
    )
    promote.add_argument(
        "--from-sandbox", required=True, metavar="NAME", help="where the setup is (only read)"
    )
    promote.add_argument(
        "--to-sandbox", required=True, metavar="NAME", help="the sandbox to change"
    )
    promote.add_argument("--out", metavar="DIR", help="keep the resolved files here")
    promote.add_argument("--yes", action="store_true", help="apply without asking")
    promote.add_argument("--prune", action="store_true", help="as for apply")
    add_json(promote)
    promote.add_argument(
        "--concurrency", type=_whole_number(1, 64), default=8, metavar="N", help="as for apply"
    )
    promote.add_argument("--rate", type=_positive_rate, metavar="PER_SECOND", help="as for apply")
    _add_client_options(promote)
    promote.set_defaults(rotate_secrets=False)  # existing credentials in the target stay


def add_destroy_status(commands: Any) -> None:
    """Add ``destroy`` and ``status`` to ``commands``."""
    destroy = commands.add_parser(
        "destroy",
        help="remove each file's dataflow (files or folders) and connections nothing else uses",
        description="Show what is deleted (the dataflow, then its target, base and source "
        "connections unless another entity uses them) and what is kept, confirm, delete. "
        "Mapping sets stay (Data Prep has no DELETE). Exit 0 done or nothing to do, 1 error.",
    )
    destroy.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="FILE|DIR",
        help="activation files or folders (each file's dataflow, in turn)",
    )
    destroy.add_argument("--yes", action="store_true", help="delete without asking")
    _add_client_options(destroy)
    add_sandbox(destroy)
    status = commands.add_parser(
        "status",
        help="recent runs of each file's dataflow; exit 1 when one failed (for cron and CI)",
        description="Each dataflow's runs since --since: status, records, files, errors with "
        "their codes, and records per audience or dataset. Exit 0 no failed run, 1 a run "
        "failed (or an error), 2 a bad --since.",
    )
    status.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="FILE|DIR",
        help="activation files or folders (default in a project: its activation files)",
    )
    status.add_argument(
        "--since", default="24h", help="24h, 7d, or an ISO 8601 time with a zone (default 24h)"
    )
    add_json(status)
    _add_client_options(status)
    add_sandbox(status)


def add_export(commands: Any) -> None:
    """Add ``export`` (activation files from what exists) to ``commands``."""
    export = commands.add_parser(
        "export",
        help="write activation files from the dataflows that exist",
        description="Read one dataflow (--flow) or every dataflow of the generated destinations "
        "(--all DIR) with its connections, audiences or datasets, mapping and keys, and write "
        "activation files that plan reports as unchanged. Secrets cannot be read back: they "
        'become {"env": NAME} references (DESTINATION_PARAM_CONNECTION, e.g. '
        "AZURE_BLOB_CONNECTION_STRING_ACME_BLOB). "
        "Exit 0 written, 1 failed or a file would be replaced without --force.",
    )
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument("--flow", metavar="ID|NAME", help="one dataflow, by id or exact name")
    which.add_argument("--all", metavar="DIR", help="every destination dataflow, one file each")
    export.add_argument(
        "--out",
        metavar="FILE",
        help="with --flow: write here, not to stdout (YAML for .yaml or .yml, else JSON)",
    )
    export.add_argument("--force", action="store_true", help="replace files that exist")
    _add_client_options(export)
    add_sandbox(export)


def add_completion(commands: Any) -> None:
    """Add the ``completion`` subcommand (shell completion scripts) to ``commands``."""
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish) for every command and option",
        description="Built from the argument parser: every command and its options. bash: "
        "destgen completion bash > ~/.local/share/bash-completion/completions/destgen; zsh "
        "uses the bash script through bashcompinit; fish: destgen completion fish > "
        "~/.config/fish/completions/destgen.fish.",
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))


def add_new(commands: Any) -> None:
    """Add the ``new`` subcommand (an activation file to start from) to ``commands``."""
    new = commands.add_parser(
        "new",
        help="write a commented activation file to start from, for any destination",
        description="An activation file for DESTINATION (a slug of `destgen destinations`) in "
        "one workflow: every required param with a value that validates, each secret as the "
        "environment variable it is read from, names and ids to replace. Printed, or written "
        "to --out (never over a file). Exit 0 written, 2 unknown destination or workflow.",
    )
    new.add_argument("destination", metavar="DESTINATION")
    new.add_argument(
        "--workflow",
        choices=("audiences", "datasets", "stream"),
        help="default: stream for a streaming destination, else audiences",
    )
    new.add_argument("--out", metavar="FILE", help="write here instead of standard output")


def add_audiences(commands: Any) -> None:
    """Add the ``audiences`` subcommand (the sandbox's audiences) to ``commands``."""
    found = commands.add_parser(
        "audiences",
        help="list the sandbox's audiences: id, name, sandbox (for activation files)",
        description="Every audience (segment definition) of the sandbox, page by page, or those "
        "named --name. Credentials: AEP_ACCESS_TOKEN or AEP_CLIENT_ID + AEP_CLIENT_SECRET, "
        "AEP_API_KEY, AEP_ORG_ID, and AEP_SANDBOX_NAME or --sandbox. Exit 0 listed, 1 failed or "
        "no audience by that name.",
    )
    _add_client_options(found)
    found.add_argument("--name", help="only the audiences with exactly this name")
    add_sandbox(found)
    add_json(found)


def add_datasets(commands: Any) -> None:
    """Add the ``datasets`` subcommand (eligible datasets of the sandbox) to ``commands``."""
    found = commands.add_parser(
        "datasets",
        help="list the datasets the sandbox can export (for dataset export)",
        description="Every dataset the sandbox can export, page by page (id and name). "
        "Credentials: AEP_ACCESS_TOKEN or AEP_CLIENT_ID + AEP_CLIENT_SECRET, AEP_API_KEY, "
        "AEP_ORG_ID, AEP_SANDBOX_NAME. Exit 0 listed, 1 failed.",
    )
    _add_base_url(found)
    found.add_argument(
        "--page-size",
        type=_whole_number(1, 100),
        default=20,
        metavar="N",
        help="datasets a request",
    )
    add_sandbox(found)
    add_json(found)


def _add_base_url(parser: argparse.ArgumentParser) -> None:
    """The one ``--base-url`` option every command that talks to the API takes."""
    parser.add_argument(
        "--base-url",
        default=os.environ.get("AEP_BASE_URL"),
        help="API base URL (default https://platform.adobe.io or AEP_BASE_URL)",
    )


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (ASCII digits only)."""

    def parse(text: str) -> int:
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high}: {text!r}"
            )
        return int(text)

    return parse


def _positive_rate(text: str) -> float:
    """A positive, finite rate (requests a second), for argparse."""
    try:
        return _seconds(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"must be a positive rate: {text!r}") from None


def _seconds(text: str) -> float:
    """A positive, finite number of seconds, for argparse."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def add_init(commands: Any) -> None:
    """Add the ``init`` subcommand to ``commands``."""
    init = commands.add_parser(
        "init",
        help="make a destgen project: config, specs folder, library, activation folder",
        description="Write destgen.toml (or, with --pyproject, a [tool.destgen] table in the "
        "folder's pyproject.toml) naming the specs folder, the library and the activation "
        "files; copy the curated specs into the specs folder and generate the library from "
        "them. Commands run in the folder or below then fetch, generate, validate, plan and "
        "apply with the project's own library. Exit 0 done, 2 a project is already there.",
    )
    init.add_argument(
        "folder", nargs="?", type=Path, default=Path("."), metavar="DIR", help="default: here"
    )
    init.add_argument(
        "--pyproject",
        action="store_true",
        help="configure in the folder's pyproject.toml ([tool.destgen]) instead of destgen.toml",
    )


def add_spec_commands(commands: Any) -> None:
    """Add the ``fetch``, ``diff`` and ``doctor`` subcommands to ``commands``."""
    credentials = (
        "Credentials as for activate: AEP_ACCESS_TOKEN (or AEP_CLIENT_ID + AEP_CLIENT_SECRET), "
        "AEP_API_KEY, AEP_ORG_ID."
    )
    fetch = commands.add_parser(
        "fetch",
        help="download connection specs into the specs folder (the project's, else specs_cache/)",
        description="GET each connection spec and update the cache and manifest.json "
        "atomically: all of them or nothing. Unchanged specs are not rewritten. " + credentials,
    )
    _add_base_url(fetch)
    fetch.add_argument(
        "--destination", action="append", metavar="SLUG", help="only this destination (repeatable)"
    )
    fetch.add_argument(
        "--specs",
        type=Path,
        default=default_specs_dir(),
        help="the cache whose manifest lists the specs",
    )
    fetch.add_argument("--out", type=Path, help="write here instead of --specs")
    fetch.add_argument(
        "--spec-id",
        action="append",
        metavar="ID",
        help="bring home this connection spec (any destination; repeatable): its file, a "
        "manifest entry with a slug from its name, and the flow specs the service lists for it",
    )
    fetch.add_argument(
        "--all-destinations",
        action="store_true",
        help="bring home every destination spec the service lists (tag extensions skipped)",
    )
    diff_ = commands.add_parser(
        "diff",
        help="what changed between two spec folders, classed breaking/additive/cosmetic",
        description="Compare two spec folders (or OLD with the live specs, --live). "
        "Exit 0, or 3 when --fail-on is met, 2 when a folder cannot be read.",
    )
    diff_.add_argument("old", type=Path, metavar="OLD")
    diff_.add_argument("new", type=Path, nargs="?", metavar="NEW")
    diff_.add_argument(
        "--live", action="store_true", help="compare OLD with the live specs (needs credentials)"
    )
    diff_.add_argument("--json", action="store_true", help="print JSON instead of a table")
    diff_.add_argument(
        "--fail-on",
        choices=("any", "breaking"),
        help="exit 3 when any change, or a breaking one, is found",
    )
    _add_base_url(diff_)
    doctor = commands.add_parser(
        "doctor",
        help="check credentials, sandbox, spec ids and drift of the generated code",
        description="Exit 0 when everything matches, 1 otherwise. " + credentials,
    )
    _add_base_url(doctor)
    add_sandbox(doctor)
    doctor.add_argument("--specs", type=Path, default=default_specs_dir())
    add_json(doctor)
