"""No spec-derived text reaches generated code except as an escaped literal (issue 27): a raw
spec's file name, its name, descriptions, keys and enum values, however hostile, give modules
that import without running anything; a spec named after one of the library's own modules never
shadows it, and one spec with a paragraph for a name never stops the folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from destgen_runtime.schema.naming import MAX_SLUG, slug_of

from destgen.render import comment_text, docstring_text
from tests.conftest import ROOT, run_cli

SFTP = ROOT / "tests" / "data" / "corpus_2020" / "64ef4b8b-a6e0-41b5-9677-3805d1ee5dd0__sftp.json"
# Each would create the canary file if it ever ran as code.
PAYLOAD = "open('CANARY', 'w')"


def hostile_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SFTP.read_text())
    spec["name"] = f'Evil"""\n{PAYLOAD}\n#'
    target = spec["targetSpec"]["spec"]
    target["description"] = f'ends in quotes"\n{PAYLOAD}\n"'
    target["properties"]["remotePath"]["description"] = f'"""; {PAYLOAD}; """\x1b\\'
    target["properties"]["format"] = {
        "type": "string",
        "title": f"\r{PAYLOAD}\r",
        "enum": [f"'; {PAYLOAD}; '", f'"""\n{PAYLOAD}\n"""'],
    }
    target["properties"][f"key\n{PAYLOAD}\n"] = {"type": "string"}
    return spec


def _import_all(library: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Import every generated module in a fresh interpreter run in ``cwd``."""
    code = (
        "import importlib, pkgutil, sys; sys.path.insert(0, sys.argv[1]); "
        "import destgen_destinations as root; "
        "[importlib.import_module(m.name) for m in "
        "pkgutil.walk_packages(root.__path__, 'destgen_destinations.')]"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(library)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.timeout(300)
def test_hostile_spec_text_reaches_generated_code_only_as_literals(tmp_path: Path) -> None:
    specs, library, run_in = tmp_path / "specs", tmp_path / "lib", tmp_path / "cwd"
    specs.mkdir()
    run_in.mkdir()
    name = f"x\n{PAYLOAD}\n#.json".replace("/", "")
    (specs / name).write_text(json.dumps(hostile_spec()))
    done = run_cli("generate", "--specs", str(specs), "--out", str(library))
    assert done.returncode == 0, done.stderr
    sources = list(library.rglob("*.py"))
    for path in sources:
        text = path.read_text(encoding="utf-8")
        compile(text, str(path), "exec")  # every module is Python, whatever the spec said
        for line in text.splitlines():
            assert not line.lstrip().startswith("open("), f"{path}: {line}"
    imported = _import_all(library, run_in)
    assert imported.returncode == 0, imported.stderr
    assert not (run_in / "CANARY").exists(), "spec text ran as code"
    # generate --check agrees with what it wrote (the escapes are stable).
    again = run_cli("generate", "--check", "--specs", str(specs), "--out", str(library))
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Registry", "registry_destination"),
        ("runtime", "runtime_destination"),
        ("Manifest", "manifest_destination"),
        ("class", "class_destination"),
    ],
)
def test_a_spec_named_after_a_library_module_never_shadows_it(name: str, slug: str) -> None:
    assert slug_of(name) == slug


def test_an_over_long_name_gets_a_short_stable_slug_and_the_folder_generates(
    tmp_path: Path,
) -> None:
    long = "Acme " + "very " * 80 + "long destination"
    slug = slug_of(long)
    assert len(slug) <= MAX_SLUG
    assert slug == slug_of(long)
    assert slug != slug_of(long + " two")
    specs, library = tmp_path / "specs", tmp_path / "lib"
    specs.mkdir()
    spec = json.loads(SFTP.read_text())
    spec["name"] = long
    (specs / "long.json").write_text(json.dumps(spec))
    registry = json.loads(SFTP.read_text())
    registry["name"], registry["id"] = "Registry", "0d4c1f5e-0000-4000-8000-000000000001"
    (specs / "registry.json").write_text(json.dumps(registry))
    done = run_cli("generate", "--specs", str(specs), "--out", str(library))
    assert done.returncode == 0, done.stderr
    packages = sorted(p.name for p in (library / "destgen_destinations").iterdir() if p.is_dir())
    assert packages == sorted(["registry_destination", slug])
    assert (library / "destgen_destinations" / "registry.py").is_file()
    shutil.rmtree(library)


def test_the_escapes_keep_text_on_its_line() -> None:
    assert comment_text("a\nb\r\u2028é") == "a\\nb\\r\\u2028\\xe9"
    assert docstring_text('say "hi"') == 'say "hi\\"'
    assert docstring_text("a\x00b\x1b") == "a\\x00b\\x1b"
    assert docstring_text('x"""y') == 'x\\"\\"\\"y'
