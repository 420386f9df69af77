"""The README and docs/ as a user reads them: every ``sh`` and ``python`` block runs as written,
the generated reference pages are current, and the README stays short and stands alone.

Blocks fenced ``sh no-run`` are the two make targets and install commands that the wheel tests
and CI itself exercise.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from destgen.cli.reference_docs import stale_pages
from destgen_emulator import EmulatorServer
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The reference material this project was built from lives outside it; nothing may point there.
BANNED_CITATIONS = ("../" + "shared", "shared/" + "reference", "flow_service_" + "contract")
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)


def blocks(page: Path) -> list[tuple[str, str]]:
    """``(language, code)`` of every block the snippet test runs, in page order."""
    return [
        (lang, code)
        for lang, info, code in FENCE.findall(page.read_text(encoding="utf-8"))
        if lang in ("sh", "python") and "no-run" not in info
    ]


def script_for(page: Path) -> str:
    """One bash script per page: blocks share the shell, so exports carry on as for a reader."""
    # No pipefail, as in a reader's shell: `destgen ... | head` ends the writer early by design.
    # A failing line ends the script; the trap ends what it started in the background (an
    # emulator), whose open stdout would otherwise hold the test until its timeout.
    parts = ["set -eu", "trap 'jobs -p | xargs -r kill 2>/dev/null' EXIT"]
    for n, (lang, code) in enumerate(blocks(page)):
        parts.append(f"echo '### block {n} ({lang})' >&2")
        if lang == "sh":
            parts.append(code)
        else:
            parts.append(f"python - <<'DESTGEN_PY_{n}'\n{code}DESTGEN_PY_{n}")
    return "\n".join(parts) + "\n"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("page", [p for p in PAGES if blocks(p)], ids=lambda p: p.name)
def test_docs_snippets_run_as_written(page: Path, tmp_path: Path) -> None:
    # A reader's working copy: the repository's inputs, read-only links, and room to write.
    for name in ("examples", "generated", "specs_cache"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    with EmulatorServer() as emulator:
        env = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "AEP_BASE_URL": emulator.base_url,
            "AEP_ACCESS_TOKEN": "docs-token",
            "AEP_API_KEY": "docs-key",
            "AEP_ORG_ID": "DOCS@AdobeOrg",
            "AEP_SANDBOX_NAME": "docs",
        }
        # Its own process group: whatever a snippet leaves running is ended with it.
        with subprocess.Popen(
            ["bash", "-c", script_for(page)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        ) as shell:
            try:
                stdout, stderr = shell.communicate(timeout=240)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(shell.pid, signal.SIGKILL)
        done = subprocess.CompletedProcess(shell.args, shell.returncode, stdout, stderr)
    assert done.returncode == 0, f"{page.name}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr


def test_docs_generated_pages_are_current() -> None:
    assert stale_pages(ROOT / "docs") == []


def test_docs_stale_page_is_reported(tmp_path: Path) -> None:
    (tmp_path / "cli.md").write_text("# old\n")
    assert "cli.md" in stale_pages(tmp_path)


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    first = FENCE.search(text)
    assert first is not None
    assert text.startswith("```")
    commands = [line.split("#")[0].strip() for line in first.group(3).splitlines()]
    assert commands == ["make run", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_docs_stand_alone(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for banned in BANNED_CITATIONS:
        assert banned not in text, banned
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", prose):
        assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_no_tracked_file_cites_material_outside_the_repo() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    for name in tracked:
        path = ROOT / name
        if path.suffix in (".py", ".md", ".json", ".toml", ".yaml", ".jinja", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for banned in BANNED_CITATIONS:
                assert banned not in text, f"{name} cites {banned}"
