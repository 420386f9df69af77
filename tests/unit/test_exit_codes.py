"""One exit-code contract for every command: the table in exit_codes.py, no bare numbers in the
command modules, the table in ``destgen --help`` and docs/cli.md, and the messages of the
mistakes a new user makes first (one line each, never a traceback).
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

from destgen.cli import main
from destgen.cli.exit_codes import MEANINGS, Exit, table
from destgen.cli.wording import plural
from tests.conftest import ROOT, run_cli

CLI = ROOT / "generator" / "destgen" / "cli"
S3 = ROOT / "examples" / "amazon_s3.json"
SOURCE = "01_source_connection__create_source_connection.json"


def test_every_code_has_one_meaning_and_checks_differ_from_usage() -> None:
    assert set(MEANINGS) == set(Exit)
    assert len({int(code) for code in Exit}) == len(Exit)
    # Infrastructure tools' detailed exit code: "changes pending" is never argparse's usage code.
    assert Exit.CHANGES not in (Exit.USAGE, Exit.FAILED, Exit.OK)
    assert int(Exit.USAGE) == 2  # argparse exits 2 on its own, before any command runs


@pytest.mark.parametrize("module", sorted(p.name for p in CLI.glob("*.py")))
def test_command_modules_return_named_codes_only(module: str) -> None:
    tree = ast.parse((CLI / module).read_text())
    bare = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Return)
        and isinstance(node.value, ast.Constant)
        and type(node.value.value) is int
    ]
    assert bare == [], f"{module} returns bare exit codes on lines {bare}: use Exit"


def test_help_and_reference_print_the_table() -> None:
    done = run_cli("--help")
    assert table() in done.stdout
    reference = (ROOT / "docs" / "cli.md").read_text()
    for code in Exit:
        assert f"| {int(code)} | {MEANINGS[code]} |" in reference


CREDENTIALS = {"AEP_ACCESS_TOKEN": "t", "AEP_API_KEY": "k", "AEP_ORG_ID": "o"}
# apply needs the file's own secret; plan does not.
FILE_SECRET = {"S3_SECRET_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
SANDBOX = {"AEP_SANDBOX_NAME": "prod"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "missing environment variable(s): AEP_API_KEY, AEP_ORG_ID, AEP_ACCESS_TOKEN"),
        (
            CREDENTIALS | {"AEP_BASE_URL": "http://10.1.2.3:8080"},
            "base URL 'http://10.1.2.3:8080' refused: use https://, or http:// on a loopback "
            "address only",
        ),
        (
            {
                "AEP_CLIENT_ID": "id",
                "AEP_CLIENT_SECRET": "secret",
                "AEP_API_KEY": "k",
                "AEP_ORG_ID": "o",
                "AEP_TOKEN_URL": "http://10.1.2.3/ims/token/v3",
            },
            "token URL 'http://10.1.2.3/ims/token/v3' refused: use https://, or http:// on a "
            "loopback address only (--token-url or AEP_TOKEN_URL)",
        ),
    ],
    ids=["no-credentials", "plain-http-remote", "plain-http-token-url"],
)
@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_refuse_a_bad_environment_in_one_line(
    command: str, env: dict[str, str], message: str
) -> None:
    confirm = ["--yes"] if command == "apply" else []
    done = run_cli(command, *confirm, str(S3), env=env | FILE_SECRET | SANDBOX)
    assert done.returncode == Exit.FAILED
    # First where the command would act (named before any request), then the one refusal.
    where, line = done.stderr.strip().splitlines()
    assert where.startswith(f"destgen {command}: org ")
    assert line.startswith(f"destgen {command}: {message}")


def test_destroy_without_a_terminal_names_itself(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from destgen.cli.infra import confirmed

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert not confirmed(
        1, "destroy", "the dataflow of", "the dataflow of {files} would be deleted"
    )
    assert capsys.readouterr().err.startswith(
        "destgen destroy: the dataflow of 1 file would be deleted; pass --yes to destroy "
        "without a terminal"
    )


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [(0, "run", "0 runs"), (1, "run", "1 run"), (2, "change", "2 changes"), (1, "file", "1 file")],
)
def test_counts_read_as_words(count: int, noun: str, expected: str) -> None:
    assert plural(count, noun) == expected


def test_main_returns_usage_for_a_bad_since() -> None:
    assert main(["status", "--since", "3x", str(S3)]) == Exit.USAGE


def test_a_reader_that_leaves_early_gets_no_warning(tmp_path: Path) -> None:
    import subprocess
    import sys

    payload = tmp_path / "source.json"
    payload.write_text((ROOT / "tests" / "examples" / "documented" / SOURCE).read_text())
    # `destgen validate ... | head -0`: the reader is gone before a byte is written, and the
    # output is small enough to sit in Python's buffer until the end.
    with subprocess.Popen(
        [sys.executable, "-m", "destgen", "validate", *[str(payload)] * 10],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as reader:
        assert reader.stdout is not None
        reader.stdout.close()
        assert reader.stderr is not None
        err = reader.stderr.read()
        reader.wait(timeout=120)
    assert b"BrokenPipe" not in err
    assert b"Exception ignored" not in err


def test_every_parsed_command_is_in_the_table() -> None:
    import argparse

    from destgen.cli import _parser
    from destgen.cli.commands import COMMANDS

    (sub,) = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == set(COMMANDS)


def test_credentials_go_to_https_or_loopback_only() -> None:
    from destgen_runtime.transport.credentials import ClientCredentials
    from destgen_runtime.transport.errors import DestgenError

    local = ClientCredentials("id", "secret", token_url="http://127.0.0.1:8765/ims/token/v3/")
    assert local.token_url == "http://127.0.0.1:8765/ims/token/v3"
    with pytest.raises(DestgenError, match=r"token URL 'http://ims\.example/t' refused"):
        ClientCredentials("id", "secret", token_url="http://ims.example/t")


@pytest.mark.parametrize("name", ["../flowservice", "a/b", "dev?x=1", "prod#"])
def test_a_sandbox_name_is_one_encoded_path_segment(name: str) -> None:
    from urllib.parse import unquote

    from destgen_runtime.api import operations as ops

    path = ops.sandbox(name).path
    prefix = "/data/foundation/sandbox-management/sandboxes/"
    assert path.startswith(prefix)
    segment = path.removeprefix(prefix)
    assert "/" not in segment
    assert "?" not in segment
    assert "#" not in segment
    assert unquote(segment) == name
