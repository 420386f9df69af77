"""The two distributions, built as wheels and installed into fresh virtual environments, used with
no checkout in sight: the library imports and type-checks, the tool runs every subcommand.

Each fresh venv holds our wheel alone. Its third-party dependencies are borrowed from the test
environment through one path entry (``deps.pth``): a plain path line, so the `.pth` hooks in that
folder (our editable install, coverage's start-up hook) never run and no checkout folder is ever
importable. What a borrowed environment cannot show, a missing ``Requires-Dist``, is checked
statically: every third-party import in each wheel must be one of the dependencies it declares.
This keeps the module seconds long instead of minutes of resolver and download time.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, SLUGS

pytestmark = pytest.mark.timeout(600)


def _run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _wheel(project: Path, out: Path) -> Path:
    # --no-build-isolation: the backend (hatchling, pinned in the dev extras) is already installed.
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        out,
        project,
        cwd=out,
    )
    (wheel,) = out.glob("*.whl")  # each build gets its own empty folder
    return wheel


def _fresh_venv(where: Path) -> Path:
    """A venv without pip whose only extra path entry is the test environment's site-packages."""
    venv.EnvBuilder(with_pip=False, clear=True).create(where)
    (site,) = where.glob("lib/python3*/site-packages")
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return where / "bin"


def _install(bin_dir: Path, target: Path, cwd: Path) -> None:
    """pip (borrowed) installs ``target`` alone: no index, no dependencies, no build isolation."""
    _run(
        bin_dir / "python",
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
        target,
        cwd=cwd,
        env=_clean_env(bin_dir),
    )


def _clean_env(bin_dir: Path, **extra: str) -> dict[str, str]:
    """No PYTHONPATH, no virtualenv of ours: only the fresh venv's bin on PATH."""
    keep = {
        k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "TMPDIR", "PIP_CONFIG_FILE")
    }
    return keep | {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"} | extra


@contextlib.contextmanager
def _serving(command: list[str | Path], cwd: Path, env: dict[str, str]) -> Iterator[str]:
    """An emulator started by ``command`` (``--port 0``) until the block ends: its base URL, read
    from the line it prints when it listens.
    """
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as emulator:
        try:
            assert emulator.stdout is not None
            line = emulator.stdout.readline()
            assert "listening on http://127.0.0.1:" in line, line
            yield line.rsplit(" ", 1)[-1].strip()
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)


# The credentials a user sets for the CLI against the emulator.
API = {
    "AEP_ACCESS_TOKEN": "t",
    "AEP_API_KEY": "k",
    "AEP_ORG_ID": "ORG@AdobeOrg",
    "AEP_SANDBOX_NAME": "prod",
}


@pytest.fixture(scope="module")
def library_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated library and the runtime it pins, each from its own wheel."""
    tmp = tmp_path_factory.mktemp("library")
    bin_dir = _fresh_venv(tmp / "venv")
    for project in (ROOT / "runtime", ROOT / "generated"):
        wheel_dir = tmp / f"wheels-{project.name}"
        wheel_dir.mkdir()
        _install(bin_dir, _wheel(project, wheel_dir), tmp)
    return bin_dir


@pytest.fixture(scope="module")
def tool_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("tool")
    wheel_dir = tmp / "wheels"
    wheel_dir.mkdir()
    wheel = _wheel(ROOT, wheel_dir)
    bin_dir = _fresh_venv(tmp / "venv")
    _install(bin_dir, wheel, tmp)
    return bin_dir


@pytest.fixture(scope="module")
def emulator_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime and the emulator, each from its own wheel: no tool, no generated library."""
    tmp = tmp_path_factory.mktemp("emulator")
    bin_dir = _fresh_venv(tmp / "venv")
    for project in (ROOT / "runtime", ROOT / "emulator"):
        wheel_dir = tmp / f"wheels-{project.name}"
        wheel_dir.mkdir()
        _install(bin_dir, _wheel(project, wheel_dir), tmp)
    return bin_dir


def test_emulator_wheel_serves_the_six_specs_without_the_tool(
    emulator_venv: Path, tmp_path: Path
) -> None:
    env = _clean_env(emulator_venv)
    absent = _run(
        emulator_venv / "python",
        "-c",
        # (The test environment's editable install leaves a code-less destgen/_data folder on the
        # borrowed path, so the tool's modules are what must be missing.)
        "import importlib.util as u\n"
        "print(u.find_spec('destgen.cli'), u.find_spec('destgen_emulator'))",
        cwd=tmp_path,
        env=env,
    )
    assert absent.startswith("None ModuleSpec"), absent
    # No specs_cache in tmp_path: the wheel's own six specs are the default.
    with _serving([emulator_venv / "destgen-emulator", "--port", "0"], tmp_path, env) as base_url:
        headers = {
            "Authorization": "Bearer t",
            "x-api-key": "k",
            "x-gw-ims-org-id": "ORG@AdobeOrg",
            "x-sandbox-name": "dev",
        }
        listed = httpx.get(
            f"{base_url}/data/foundation/flowservice/connectionSpecs", headers=headers, timeout=30
        )
    assert listed.status_code == 200, listed.text
    names = {spec["name"] for spec in listed.json()["items"]}
    assert {"Amazon S3", "SFTP"} <= names, names


def test_library_wheel_holds_only_its_own_package(library_venv: Path) -> None:
    site = next((library_venv.parent / "lib").glob("python3*/site-packages"))
    ours = {p.name for p in site.iterdir() if p.name.startswith(("destgen", "generat", "emulator"))}
    assert {n for n in ours if not n.endswith(".dist-info")} == {
        "destgen_destinations",
        "destgen_runtime",
    }
    assert not (site / "destgen_destinations" / "runtime").exists()
    assert (site / "destgen_destinations" / "py.typed").exists()
    assert (site / "destgen_runtime" / "py.typed").exists()


def test_library_wheel_imports_builds_and_validates(library_venv: Path, tmp_path: Path) -> None:
    probe = (
        "import destgen_destinations.amazon_s3 as s3\n"
        "from pydantic import ValidationError\n"
        "t = s3.target_connection(name='t', base_connection_id='b', bucket_name='acme', path='p',\n"
        "                         file_type='CSV', compression='GZIP')\n"
        "print(s3.to_wire(t)['params']['compression'])\n"
        "try:\n"
        "    s3.target_connection(name='t', base_connection_id='b', bucket_name='acme', path='p',\n"
        "                         file_type='CSV', compression='ZIP')\n"
        "except ValidationError as exc:\n"
        "    print('rejected', exc.errors()[0]['loc'][-1])\n"
    )
    out = _run(library_venv / "python", "-c", probe, cwd=tmp_path, env=_clean_env(library_venv))
    assert out.split("\n")[0] == "GZIP"
    assert "rejected compression" in out


def test_library_wheel_is_typed_for_mypy(library_venv: Path, tmp_path: Path) -> None:
    user = tmp_path / "user_code.py"
    user.write_text(
        "import destgen_destinations.amazon_s3 as s3\n\n"
        "s3.target_connection(name='t', base_connection_id='b', bucket_name='acme', path='p',\n"
        "                     file_type='CSV', compression='ZIP')\n"
    )
    # Our mypy, the fresh venv's site-packages: what a user's editor sees after `pip install`.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-executable",
            str(library_venv / "python"),
            str(user),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    assert 'Argument "compression" to "target_connection" has incompatible type' in done.stdout


def test_tool_wheel_installs_no_generic_top_level_names(tool_venv: Path) -> None:
    site = next((tool_venv.parent / "lib").glob("python3*/site-packages"))
    for generic in ("generated", "generator", "emulator", "templates", "specs_cache", "tests"):
        assert not (site / generic).exists(), generic
    assert (site / "destgen" / "_data" / "templates").is_dir()
    # One copy of the curated specs, in the emulator's package: the tool reads the same files.
    assert (site / "destgen_emulator" / "_data" / "specs_cache" / "manifest.json").is_file()
    assert not (site / "destgen" / "_data" / "specs_cache").exists()
    # Our three packages come from the wheel; the borrowed path entry adds no checkout folder.
    probe = (
        "import sys, destgen, destgen_emulator, destgen_destinations as d\n"
        "print('\\n'.join(m.__file__ for m in (destgen, destgen_emulator, d)))\n"
        "print('\\n'.join(sys.path))\n"
    )
    lines = _run(tool_venv / "python", "-c", probe, cwd=site, env=_clean_env(tool_venv)).split()
    assert all(line.startswith(str(site)) for line in lines[:3]), lines[:3]
    borrowed = sysconfig.get_path("purelib")
    assert not [p for p in lines[3:] if p.startswith(str(ROOT)) and p != borrowed], lines[3:]


def test_tool_wheel_runs_every_subcommand_without_a_checkout(
    tool_venv: Path, tmp_path: Path
) -> None:
    env = _clean_env(tool_venv)
    destgen = tool_venv / "destgen"
    assert _run(destgen, "--version", cwd=tmp_path, env=env).startswith("destgen ")
    facts = json.loads(_run(destgen, "destinations", "--json", cwd=tmp_path, env=env))
    assert len(facts) == len(SLUGS)
    assert {f["slug"] for f in facts} >= {"amazon_s3", "sftp"}
    payload = tmp_path / "flow.json"
    payload.write_text(json.dumps({"name": "x", "connectionSpec": {"id": "bad"}}))
    bad = subprocess.run(
        [destgen, "validate", "--kind", "dataflow", "--destination", "amazon_s3", str(payload)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1
    assert "flow.json: $." in bad.stdout
    assert "Traceback" not in bad.stderr
    _run(destgen, "activation-schema", cwd=tmp_path, env=env)

    out = tmp_path / "library"
    _run(destgen, "generate", "--out", out, "--quiet", cwd=tmp_path, env=env)
    assert (out / "pyproject.toml").is_file()
    assert not (out / "destgen_destinations" / "runtime").exists(), "the runtime is not copied"
    assert '"destgen-runtime==' in (out / "pyproject.toml").read_text()
    _run(destgen, "generate", "--out", out, "--check", "--quiet", cwd=tmp_path, env=env)
    lib_bin = _fresh_venv(tmp_path / "libvenv")
    runtime_wheels = tmp_path / "runtime-wheel"
    runtime_wheels.mkdir()
    _install(lib_bin, _wheel(ROOT / "runtime", runtime_wheels), tmp_path)  # what the library pins
    _install(lib_bin, out, tmp_path)
    _run(
        lib_bin / "python",
        "-c",
        "import destgen_destinations.sftp",
        cwd=tmp_path,
        env=_clean_env(lib_bin),
    )

    # The emulator in the foreground process group, activate against it, all from the wheel.
    with _serving([destgen, "emulator", "--port", "0"], tmp_path, env) as base_url:
        run_env = env | API | {"AEP_BASE_URL": base_url, "SFTP_PASSWORD": "a-demo-password"}
        (examples,) = list(
            (tool_venv.parent / "lib").glob("python3*/site-packages/destgen/_data/examples")
        )
        done = json.loads(
            _run(
                destgen,
                "activate",
                "--json",
                examples / "sftp_password.yaml",
                cwd=tmp_path,
                env=run_env,
            )
        )
    assert done["summary"].get("created", 0) >= 4
    assert {s["entity"] for s in done["steps"]} >= {"base connection", "dataflow"}


def test_tool_wheel_runs_the_demo_from_an_empty_folder(tool_venv: Path, tmp_path: Path) -> None:
    """The README's main job after a plain install: no checkout, no specs_cache in the folder."""
    env = _clean_env(tool_venv)
    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run(
        [tool_venv / "destgen", "demo"],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "after 24 h" in done.stdout
    assert list(empty.iterdir()) == [], "the demo writes nothing into the folder it runs in"
    probe = (
        "from destgen_emulator import EmulatorServer\n"
        "with EmulatorServer() as emu:\n"
        "    names = {d.slug for d in emu.state.catalog.destinations.values()}\n"
        "print(sorted(names))\n"
    )
    served = _run(tool_venv / "python", "-c", probe, cwd=empty, env=env)
    assert "'amazon_s3'" in served, served
    assert "'sftp'" in served, served


def test_tool_wheel_closes_the_spec_loop_in_a_fresh_project(
    tool_venv: Path, tmp_path: Path
) -> None:
    """init, fetch a raw spec by id from an emulator, generate, validate by that spec: all from
    the wheel, in an empty folder, with no environment variable for the library and no flag.
    """
    env = _clean_env(tool_venv)
    destgen = tool_venv / "destgen"
    project = tmp_path / "acme"
    project.mkdir()
    _run(destgen, "init", cwd=project, env=env)
    served = tmp_path / "served"
    served.mkdir()
    (raw,) = (ROOT / "tests" / "data" / "corpus_2020").glob(f"{MOCK_S3_ID}__*.json")
    (served / raw.name).write_bytes(raw.read_bytes())
    served_by: list[str | Path] = [destgen, "emulator", "--port", "0", "--specs", served]
    with _serving(served_by, tmp_path, env) as base_url:
        api = env | API | {"AEP_BASE_URL": base_url}
        fetched = _run(destgen, "fetch", "--spec-id", MOCK_S3_ID, cwd=project, env=api)
        again = _run(destgen, "fetch", "--spec-id", MOCK_S3_ID, cwd=project, env=api)
    assert "fetched   mock_s3" in fetched
    assert "fetched   mock_s3" in again, "a refetch keeps the slug"
    _run(destgen, "generate", "--quiet", cwd=project, env=env)
    payload = project / "target.json"
    body = {
        "name": "Mock",
        "baseConnectionId": "b1",
        "connectionSpec": {"id": MOCK_S3_ID, "version": "1.0"},
        "params": {"path": "exports"},
    }
    payload.write_text(json.dumps(body))
    assert "ok (target-connection)" in _run(destgen, "validate", payload, cwd=project, env=env)
    payload.write_text(json.dumps(body | {"params": {}}))
    refused = subprocess.run(
        [destgen, "validate", payload],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "$.params.path" in refused.stdout


MOCK_S3_ID = "432768ac-d5d8-4650-b5e9-49902531818d"


def _declared(wheel: Path, extra: str | None = None) -> set[str]:
    """Distribution names of a wheel's unconditional ``Requires-Dist`` lines (or, with
    ``extra``, of that extra's), normalised.
    """
    with zipfile.ZipFile(wheel) as archive:
        (meta,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        lines = archive.read(meta).decode().splitlines()
    requires = [line.split(":", 1)[1] for line in lines if line.startswith("Requires-Dist:")]
    return {
        _normalise(re.split(r"[\s<>=!~;\[(]", r.strip(), maxsplit=1)[0])
        for r in requires
        if ("extra ==" not in r if extra is None else f"extra == '{extra}'" in r.replace('"', "'"))
    }


# Imported only when --s3 or --sftp asks (a missing one is a one-line error naming the extra).
STORAGE_MODULES = {"boto3", "moto", "paramiko"}


def _third_party_imports(wheel: Path, ours: set[str]) -> dict[str, str]:
    """Every top-level module the wheel's code imports outside the stdlib and itself -> a file."""
    found: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if not name.endswith(".py"):
                continue
            tree = ast.parse(archive.read(name), filename=name)
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in ours:
                        found.setdefault(top, name)
    return found


# Imported directly but owned by a declared dependency that pins it exactly: pydantic-core is
# pydantic's own core (`pydantic` requires `pydantic-core==<its version>`).
PINNED_BY = {"pydantic-core": "pydantic"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize(
    ("project", "ours"),
    [
        ("runtime", {"destgen_runtime"}),
        ("generated", {"destgen_destinations"}),
        (".", {"destgen", "destgen_emulator", "destgen_destinations", "destgen_runtime"}),
        ("emulator", {"destgen_emulator"}),
    ],
    ids=["runtime", "library", "tool", "emulator"],
)
def test_every_third_party_import_is_a_declared_dependency(
    project: str, ours: set[str], tmp_path: Path
) -> None:
    wheel = _wheel(ROOT / project, tmp_path)
    declared = _declared(wheel)
    storage = _declared(wheel, "storage")
    parquet = _declared(wheel, "parquet")
    providers = importlib.metadata.packages_distributions()
    for module, where in _third_party_imports(wheel, ours).items():
        assert module != "destgen", f"{where} imports the tool"
        if module in ("destgen_destinations", "destgen_runtime"):
            # The runtime's activation room loads whichever generated library is installed
            # (the bundled one, or a project's): the library is what a user installs it with.
            if project != "runtime":
                wanted = module.replace("_", "-")
                assert wanted in declared, f"{where} imports the undeclared {wanted}"
            continue
        dists = {_normalise(d) for d in providers.get(module, [])}
        dists |= {PINNED_BY[d] for d in dists if d in PINNED_BY}
        assert dists, f"{where} imports {module}, which no installed distribution provides"
        allowed = declared | (storage if module in STORAGE_MODULES else set())
        # pyarrow is the parquet extra: imported only where a PARQUET file is written or read.
        allowed |= parquet if module == "pyarrow" else set()
        assert dists & allowed, f"{where} imports {module} ({dists}) but declares {declared}"
    if project == "generated":
        assert declared == {"destgen-runtime", "pydantic"}, "the runtime brings httpx"
    if project == "runtime":
        assert declared == {"pydantic", "httpx", "httpcore"}
