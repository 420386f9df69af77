"""``destgen diff`` classification, unit by unit: every attribute change of a parameter gets the
class its effect on existing payloads deserves; destinations added and removed are listed too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from destgen.spec_diff import Change, diff, facts, summary, table
from tests.conftest import ROOT, run_cli

BASE: dict[str, Any] = {
    "name": "Dest",
    "version": "1.0",
    "authSpec": [],
    "targetSpec": {
        "spec": {
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "string", "enum": ["X", "Y"], "pattern": "^[A-Z]$"},
                "b": {"type": "string", "default": "d"},
            },
        }
    },
}


def _changed(**a: Any) -> list[Change]:
    new = json.loads(json.dumps(BASE))
    new["targetSpec"]["spec"]["properties"]["a"].update(a)
    for key in [k for k, v in a.items() if v is None]:
        new["targetSpec"]["spec"]["properties"]["a"].pop(key)
    return diff("dest", facts(BASE), facts(new))


@pytest.mark.parametrize(
    ("change", "what", "cls"),
    [
        ({"description": "new words"}, "description changed", "cosmetic"),
        ({"enum": None}, "enum dropped: any value allowed", "additive"),
        ({"enum": ["X"]}, "values removed: Y", "breaking"),
        ({"enum": ["X", "Y", "Z"]}, "values added: Z", "additive"),
        ({"pattern": None}, "pattern removed", "additive"),
        ({"pattern": "^[A-Y]$"}, "pattern changed", "breaking"),
        ({"contentEncoding": "base64"}, "contentEncoding added", "breaking"),
        ({"type": "integer"}, "type 'string' -> 'integer'", "breaking"),
    ],
)
def test_attribute_changes_are_classified(change: dict[str, Any], what: str, cls: str) -> None:
    (found,) = _changed(**change)
    assert (found.key, found.what, found.cls) == ("target.a", what, cls)


def test_enum_added_required_and_defaults() -> None:
    new = json.loads(json.dumps(BASE))
    props = new["targetSpec"]["spec"]["properties"]
    props["b"]["enum"] = ["d"]
    props["b"]["default"] = "e"
    new["targetSpec"]["spec"]["required"] = ["b"]
    props["c"] = {"type": "string"}
    props["r"] = {"type": "string"}
    new["targetSpec"]["spec"]["required"].append("r")
    found = {(c.key, c.what, c.cls) for c in diff("dest", facts(BASE), facts(new))}
    assert found >= {
        ("target.a", "no longer required", "additive"),
        ("target.b", "now required", "breaking"),
        ("target.b", "enum added", "breaking"),
        ("target.b", "default 'd' -> 'e'", "additive"),
    }
    assert any(k == "target.c" and cls == "additive" for k, _w, cls in found)
    assert any(k == "target.r" and cls == "breaking" for k, _w, cls in found)
    assert summary([]) == {"breaking": 0, "additive": 0, "cosmetic": 0}
    assert table([]) == "no changes"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(ROOT / "specs_cache", old)
    shutil.copytree(ROOT / "specs_cache", new)
    return old, new


def test_destinations_added_and_removed(folders: tuple[Path, Path]) -> None:
    old, new = folders
    manifest = json.loads((new / "manifest.json").read_text())
    sftp = next(d for d in manifest["destinations"] if d["slug"] == "sftp")
    manifest["destinations"].remove(sftp)
    manifest["destinations"].append(sftp | {"slug": "sftp_two"})
    (new / "manifest.json").write_text(json.dumps(manifest))
    shutil.copy(new / "sftp.json", new / "sftp_two.json")
    done = run_cli("diff", str(old), str(new), "--fail-on", "any")
    assert done.returncode == 3  # Exit.CHANGES
    assert "destination removed" in done.stdout
    assert "destination added" in done.stdout
    assert "1 breaking, 1 additive, 0 cosmetic" in done.stdout


def test_diff_needs_a_second_folder_or_live(folders: tuple[Path, Path]) -> None:
    old, _new = folders
    done = run_cli("diff", str(old))
    assert done.returncode == 2
    assert "give NEW or --live" in done.stderr
    (old / "sftp.json").write_text("{")
    broken = run_cli("diff", str(old), str(_new))
    assert broken.returncode == 2  # Exit.USAGE: a spec that cannot be read
    assert "sftp.json#/: not valid JSON" in broken.stderr


def test_spec_text_cannot_break_the_changelog_or_the_terminal() -> None:
    from destgen.changelog import Entry
    from destgen.markdown import cell, code

    hostile_key = "target.a|b`c\n## injected <script>"
    hostile_what = "values added: X | Y\n\n# heading \x1b[31m"
    entry = Entry(
        "dest",
        "2026-11-29T00:00:00Z\n# fake",
        "a" * 64,
        "b" * 64,
        (Change("dest", hostile_key, hostile_what, "additive"),),
    )
    text = entry.text()
    row = next(line for line in text.splitlines() if line.startswith("| additive"))
    assert row.count(" | ") == 2  # still three cells: no unescaped pipe split it
    assert "\n## injected" not in text
    assert "\n# heading" not in text
    assert "\n# fake" not in text
    where, what = row.split(" | ")[1:3]
    assert where.startswith("``")  # a code span shows <script> as text
    assert "<" not in what  # outside code, HTML is escaped
    assert "\x1b" not in text
    assert cell("a|b") == "a\\|b"
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    printed = table([Change("dest", hostile_key, hostile_what, "additive")])
    assert "\x1b" not in printed
    assert len(printed.splitlines()) == 2
