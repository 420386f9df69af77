"""Bad spec input: a clear error naming the file and JSON pointer, exit 2, generated/ untouched.

Each case corrupts one copy of specs_cache/ (beside a copy of generated/) in a temp folder and runs
the CLI on it: in process, but for one real ``python -m destgen`` run of an unchanged tree.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from destgen.writer import STATE_FILE
from tests.conftest import ROOT, SLUGS, run_cli, run_destgen


def run_destgen_python(folder: Path, code: str) -> str:
    """``code`` run by a fresh interpreter with ``folder`` (a generated project) on the path."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(folder)!r}); {code}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def generated_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """specs_cache/ and the committed generated/ (its output, as `make test` checks first); tests
    work on copies. The first run below must find it up to date: a real CLI run proves it.
    """
    root = tmp_path_factory.mktemp("template")
    specs, out = root / "specs", root / "generated"
    shutil.copytree(ROOT / "specs_cache", specs)
    shutil.copytree(ROOT / "generated", out, ignore=shutil.ignore_patterns("__pycache__"))
    return specs, out


@pytest.fixture
def workspace(generated_once: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    specs, out = tmp_path / "specs", tmp_path / "generated"
    shutil.copytree(generated_once[0], specs)
    shutil.copytree(generated_once[1], out, ignore=shutil.ignore_patterns("__pycache__"))
    return specs, out


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


CASES = [
    ("not-json", lambda p: p.write_text("{not json"), "amazon_s3.json#/: not valid JSON"),
    (
        # A missing authSpec is a destination with no credentials (a note); a wrong one is not.
        "authSpec-not-a-list",
        lambda p: _edit(p, lambda d: d.update(authSpec="S3")),
        "amazon_s3.json#/authSpec: expected an array",
    ),
    (
        "no-targetSpec",
        lambda p: _edit(p, lambda d: d.pop("targetSpec")),
        "amazon_s3.json#/targetSpec: missing",
    ),
    (
        "ref",
        lambda p: _edit(
            p, lambda d: d["targetSpec"]["spec"]["properties"]["path"].update({"$ref": "#/x"})
        ),
        "amazon_s3.json#/targetSpec/spec/properties/path/$ref: "
        "unsupported JSON Schema keyword '$ref'",
    ),
    (
        "allOf",
        lambda p: _edit(p, lambda d: d["authSpec"][0]["spec"].update({"allOf": []})),
        "amazon_s3.json#/authSpec/0/spec/allOf: unsupported JSON Schema keyword 'allOf'",
    ),
    (
        "bad-pattern",
        lambda p: _edit(
            p, lambda d: d["targetSpec"]["spec"]["properties"]["path"].update({"pattern": "(["})
        ),
        "amazon_s3.json#/targetSpec/spec/properties/path/pattern: pattern does not compile",
    ),
    (
        "bad-operator",
        lambda p: _edit(
            p,
            lambda d: d["targetSpec"]["spec"]["properties"]["fileType"]["conditional"].update(
                {"operator": "MATCHES"}
            ),
        ),
        "amazon_s3.json#/targetSpec/spec/properties/fileType/conditional/operator: "
        "unknown operator",
    ),
    (
        "both-encryption-keys",
        lambda p: _edit(p, lambda d: d.update({"encryption": []})),
        "amazon_s3.json#/encryption: both 'encryption' and 'encryptionSpecs'",
    ),
    (
        "invisible-character-in-auth-name",
        lambda p: _edit(p, lambda d: d["authSpec"][0].update(name="\ufeffAccess Key")),
        "amazon_s3.json#/authSpec/0/name: invisible character U+FEFF in the name",
    ),
    (
        "huge-auth-name",
        lambda p: _edit(p, lambda d: d["authSpec"][0].update(name="A" * 100_000)),
        "amazon_s3.json#/authSpec/0/name: a name must have 1 to 100 characters, not 100000",
    ),
    (
        "max-length-1e100",
        lambda p: _edit(p, lambda d: _target(d)["path"].update(maxLength=1e100)),
        "amazon_s3.json#/targetSpec/spec/properties/path/maxLength: expected a whole number",
    ),
    (
        "enum-of-200k-values",
        lambda p: _edit(
            p, lambda d: _target(d)["compression"].update(enum=[f"v{i}" for i in range(200_000)])
        ),
        "amazon_s3.json#/targetSpec/spec/properties/compression/enum: expected a list of at most",
    ),
]


def _target(spec: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = spec["targetSpec"]["spec"]["properties"]
    return properties


def test_auth_names_that_are_no_identifiers_generate_code_that_imports(
    workspace: tuple[Path, Path], tmp_path: Path
) -> None:
    specs, _out = workspace
    _edit(specs / "amazon_s3.json", lambda d: d["authSpec"][0].update(name="Option A B"))
    manifest = json.loads((specs / "manifest.json").read_text())
    manifest["destinations"] = [e for e in manifest["destinations"] if e["slug"] == "amazon_s3"]
    (specs / "manifest.json").write_text(json.dumps(manifest))
    fresh = tmp_path / "fresh"
    done = run_cli("generate", "--specs", str(specs), "--out", str(fresh))
    assert done.returncode == 0, done.stderr
    imported = run_destgen_python(
        fresh,
        "import destgen_destinations.amazon_s3 as s; " "print(s.models.OptionABParams.__name__)",
    )
    assert imported == "OptionABParams"


def test_the_import_gate_names_a_name_a_module_lacks() -> None:
    from destgen.errors import GeneratorError
    from destgen.import_check import check_imports

    files = {
        "__init__.py": "from p.d.models import Params\n",
        "models/__init__.py": "from p.d.models.auth import OptionABParams as Params\n",
        "models/auth.py": "class OptionAbParams:\n    pass\n",
    }
    with pytest.raises(GeneratorError, match=r"imports 'OptionABParams' from p\.d\.models\.auth"):
        check_imports("specs_cache/d.json", "p.d", files)
    files["models/auth.py"] = "class OptionABParams:\n    pass\n"
    check_imports("specs_cache/d.json", "p.d", files)


@pytest.mark.parametrize(("corrupt", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_generate_bad_spec_names_file_and_pointer(
    workspace: tuple[Path, Path], corrupt: Any, message: str
) -> None:
    specs, out = workspace
    before = _tree_digest(out)
    corrupt(specs / "amazon_s3.json")
    done = run_cli("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 2
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert _tree_digest(out) == before


def test_generate_accepts_the_newest_encryption_key(workspace: tuple[Path, Path]) -> None:
    specs, out = workspace
    _edit(specs / "sftp.json", lambda d: d.update({"encryption": d.pop("encryptionSpecs")}))
    package = out / "destgen_destinations" / "sftp"
    before = {p: p.read_text() for p in sorted(package.rglob("*.py"))}
    done = run_cli("generate", "--quiet", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "amazon_s3/" not in done.stdout
    # Only the banners' spec sha256 differs: the models read the renamed key exactly as before.
    for path, text in before.items():
        after = path.read_text()
        assert after != text, path

        def code(source: str) -> list[str]:
            return [line for line in source.splitlines() if "sha256" not in line.lower()]

        assert code(after) == code(text), path


def test_generate_unchanged_run_skips_every_destination(workspace: tuple[Path, Path]) -> None:
    specs, out = workspace
    done = run_destgen("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0
    assert f"(0 rendered, {len(SLUGS)} unchanged)" in done.stdout
    assert "0 files changed" in done.stdout


def test_generate_spec_change_rerenders_only_that_destination(workspace: tuple[Path, Path]) -> None:
    specs, out = workspace
    _edit(
        specs / "azure_blob.json",
        lambda d: d["targetSpec"]["spec"]["properties"]["path"].update({"description": "Changed"}),
    )
    check = run_cli("generate", "--check", "--specs", str(specs), "--out", str(out))
    assert check.returncode == 3  # Exit.CHANGES
    assert "would update" in check.stdout
    done = run_cli("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0
    assert f"(1 rendered, {len(SLUGS) - 1} unchanged)" in done.stdout
    assert (
        "Changed"
        in (out / "destgen_destinations" / "azure_blob" / "models" / "target.py").read_text()
    )


def test_generate_check_reports_hand_edit_and_writes_nothing(workspace: tuple[Path, Path]) -> None:
    specs, out = workspace
    target = out / "destgen_destinations" / "sftp" / "builders.py"
    target.write_text(target.read_text() + "\n# hand edit\n")
    before = _tree_digest(out)
    done = run_cli("generate", "--check", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 3  # Exit.CHANGES
    assert "would update" in done.stdout
    assert "sftp/builders.py" in done.stdout
    assert _tree_digest(out) == before


def test_generate_deletes_only_files_it_owns(workspace: tuple[Path, Path]) -> None:
    specs, out = workspace
    mine = out / "keep_me.py"
    mine.write_text("# not generated\n")
    manifest = json.loads((specs / "manifest.json").read_text())
    manifest["destinations"] = [d for d in manifest["destinations"] if d["slug"] != "sftp"]
    (specs / "manifest.json").write_text(json.dumps(manifest))
    # Every JSON file of the folder is a spec (raw when no entry lists it): gone means removed.
    (specs / "sftp.json").unlink()
    done = run_cli("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0
    assert not (out / "destgen_destinations" / "sftp" / "builders.py").exists()
    assert mine.exists()


@pytest.mark.parametrize(
    "recorded",
    ["../outside.txt", "{outside}", "destgen_destinations/../../outside.txt", "link/outside.txt"],
    ids=["dotdot", "absolute", "nested-dotdot", "symlink"],
)
def test_generate_state_paths_outside_the_output_stop_the_run(
    workspace: tuple[Path, Path], recorded: str
) -> None:
    specs, out = workspace
    outside = out.parent / "outside.txt"
    outside.write_text("not destgen's")
    (out / "link").symlink_to(out.parent, target_is_directory=True)
    state = json.loads((out / STATE_FILE).read_text())
    state["files"][recorded.format(outside=outside)] = "0" * 64
    (out / STATE_FILE).write_text(json.dumps(state))
    before = _tree_digest(out)
    done = run_cli("generate", "--force", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 2, done.stdout
    assert "outside the output folder" in done.stderr or "escapes" in done.stderr
    assert outside.read_text() == "not destgen's"
    assert _tree_digest(out) == before


@pytest.mark.parametrize("slug", ["runtime", "class", "Bad-Slug"])
def test_generate_refuses_reserved_or_invalid_slugs(
    workspace: tuple[Path, Path], slug: str
) -> None:
    specs, out = workspace
    manifest = json.loads((specs / "manifest.json").read_text())
    old = manifest["destinations"][0]["slug"]
    manifest["destinations"][0]["slug"] = slug
    (specs / "manifest.json").write_text(json.dumps(manifest))
    shutil.copy(specs / f"{old}.json", specs / f"{slug}.json")
    done = run_cli("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 2
    assert "manifest.json#/destinations/0/slug" in done.stderr


def test_generate_repairs_a_deleted_or_edited_file_without_force(
    workspace: tuple[Path, Path],
) -> None:
    specs, out = workspace
    deleted = out / "destgen_destinations" / "sftp" / "spec.py"
    original = deleted.read_bytes()
    deleted.unlink()
    done = run_cli("generate", "--specs", str(specs), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"(1 rendered, {len(SLUGS) - 1} unchanged)" in done.stdout
    assert deleted.read_bytes() == original
    edited = out / "destgen_destinations" / "adls_gen2" / "spec.py"
    edited.write_text("# edited by hand\n")
    assert run_cli("generate", "--specs", str(specs), "--out", str(out)).returncode == 0
    assert edited.read_text() != "# edited by hand\n"
