"""Each command is one module (its description, its options, its run) plus one row of the table:
a new command is exactly that, and ``destgen --help`` imports none of them. What a command's run
costs in imports and garbage collection (an unchanged regeneration, the render workers' heap) is
held here too; a run that forks workers runs in an interpreter of its own.
"""

from __future__ import annotations

import argparse
import json
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import destgen.cli.commands as package
from destgen.cli import main
from destgen.cli.commands import COMMANDS, CommandInfo, command_module
from destgen.cli.completion import command_options, script
from destgen.cli.reference_docs import commands_table
from tests.conftest import ROOT


def test_every_module_is_a_row_and_every_row_a_module() -> None:
    modules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert modules == {name.replace("-", "_") for name in COMMANDS}
    for name in COMMANDS:
        module = command_module(name)
        assert isinstance(module.DESCRIPTION, str), name
        assert callable(module.add_arguments), name
        assert callable(module.run), name


def test_help_imports_no_command_module_and_no_pydantic() -> None:
    probe = (
        "import sys\n"
        "from destgen.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('destgen.cli.commands.')]\n"
        "print('pydantic' in sys.modules, loaded, file=sys.stderr)\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert ran.stderr.strip().splitlines()[-1] == "False []"
    assert "usage: destgen" in ran.stdout


def test_a_new_command_is_one_module_and_one_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hello = types.ModuleType("destgen.cli.commands.hello")
    hello.DESCRIPTION = "Say hello to NAME."  # type: ignore[attr-defined]

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--name", default="world")

    def run(args: argparse.Namespace) -> int:
        print(f"hello, {args.name}")
        return 0

    hello.add_arguments = add_arguments  # type: ignore[attr-defined]
    hello.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, hello.__name__, hello)
    monkeypatch.setitem(COMMANDS, "hello", CommandInfo("say hello"))

    assert main(["hello", "--name", "Ada"]) == 0
    assert capsys.readouterr().out == "hello, Ada\n"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "say hello" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["hello", "--help"])
    assert "Say hello to NAME." in capsys.readouterr().out
    assert "--name" in script("bash", command_options())
    assert "| `destgen hello` | say hello |" in commands_table()


def test_an_unchanged_regeneration_loads_no_pydantic(tmp_path: Path) -> None:
    """The everyday run (nothing changed: fingerprints compared, nothing rendered) imports
    neither pydantic nor the toolchain: a quarter of its time on this machine went on pydantic,
    loaded for a three-character constant.
    """
    out = tmp_path / "generated"
    probe = (
        "import sys\n"
        "from destgen.cli import main\n"
        f"code = main(['generate', '--quiet', '--out', {str(out)!r}])\n"
        "heavy = ('pydantic', 'black', 'datamodel_code_generator', 'jinja2')\n"
        "print(code, [m for m in heavy if m in sys.modules], file=sys.stderr)\n"
    )
    first = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert first.stderr.strip().splitlines()[-1].startswith("0 ['pydantic'")  # it rendered
    again = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert again.stderr.strip().splitlines()[-1] == "0 []"


def test_generate_runs_the_collector_at_a_batch_pace_and_puts_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The collector's pace is the batch one for the whole generation (what the render workers
    fork from) and the caller's again afterwards, also when the run fails.
    """
    import gc

    import destgen.cli.generate as generate_module
    from destgen.cli.commands.generate import BATCH_GC_THRESHOLD

    seen: list[tuple[int, ...]] = []

    def failing(_args: argparse.Namespace) -> int:
        seen.append(gc.get_threshold())
        raise RuntimeError("stop here")

    monkeypatch.setattr(generate_module, "run_generate", failing)
    before = gc.get_threshold()
    assert before != BATCH_GC_THRESHOLD
    with pytest.raises(RuntimeError, match="stop here"):
        main(["generate", "--quiet"])
    assert seen == [BATCH_GC_THRESHOLD]
    assert gc.get_threshold() == before


# Run in an interpreter of its own: rendering several destinations forks worker processes.
_FREEZE_PROBE = """
import gc, json, sys
from pathlib import Path
from destgen import pipeline
from destgen.build_ir import build_ir
from destgen.spec_folder import read_spec_folder

def probe(ir):
    return {"frozen": str(gc.get_freeze_count())}

pipeline.render_or_refuse = probe
probe.__module__, probe.__qualname__ = "destgen.pipeline", "render_or_refuse"
irs = [build_ir(spec) for spec in read_spec_folder(Path(sys.argv[1])).specs][:2]
seen = [result["frozen"] for _ir, result in pipeline._render_all(irs, lambda _line: None)]
print(json.dumps({"workers": seen, "parent_after": gc.get_freeze_count()}))
"""


def test_render_workers_inherit_a_frozen_heap_and_the_parent_thaws() -> None:
    """The parent's objects are frozen for the forked workers (their collections must not write
    to every inherited page) and thawed again once they are done.
    """
    done = subprocess.run(
        [sys.executable, "-c", _FREEZE_PROBE, str(ROOT / "specs_cache")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert len(seen["workers"]) == 2
    assert all(int(count) > 10_000 for count in seen["workers"]), seen
    assert seen["parent_after"] == 0
