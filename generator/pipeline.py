"""The generate job: specs -> IR -> models + templates -> format -> write, skipping unchanged destinations.

It orchestrates the stages; each stage's logic lives in its own module.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from generator import __version__
from generator.build_ir import DestinationIR, build_ir
from generator.specs import load_specs
from generator.writer import STATE_FILE, WriteReport, owned_files, read_state, write_tree

PACKAGE_INIT = "__init__.py"
GENERATOR_DIR = Path(__file__).resolve().parent


@dataclass
class GenerateResult:
    destinations: list[str]
    rendered: list[str]
    models: int
    builders: int
    report: WriteReport = field(default_factory=WriteReport)


def toolchain_fingerprint() -> str:
    """What, besides a spec, decides the bytes: generator code, templates, pinned tool versions."""
    from generator.render import template_files

    digest = hashlib.sha256(__version__.encode())
    for package in ("datamodel-code-generator", "black", "jinja2"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    for path in sorted(GENERATOR_DIR.glob("*.py")) + template_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def generate(
    cache_dir: Path,
    out_dir: Path,
    *,
    check: bool = False,
    force: bool = False,
    progress: Callable[[str], None] = lambda _line: None,
) -> GenerateResult:
    """Regenerate ``out_dir`` from ``cache_dir``; in check mode write nothing, only report."""
    irs = [build_ir(spec) for spec in load_specs(cache_dir)]
    toolchain = toolchain_fingerprint()
    state = {} if force else read_state(out_dir)
    recorded = state.get("files") if isinstance(state.get("files"), dict) else {}
    assert isinstance(recorded, dict)
    old_prints = state.get("fingerprints") if isinstance(state.get("fingerprints"), dict) else {}
    assert isinstance(old_prints, dict)

    prints = {ir.slug: _fingerprint(ir, toolchain) for ir in irs}
    prints[PACKAGE_INIT] = _fingerprint_package(irs, toolchain)
    files: dict[str, str] = {}
    rendered: list[str] = []
    kept: dict[str, str] = {}
    todo = []
    for ir in irs:
        prefix = f"{ir.slug}/"
        if old_prints.get(ir.slug) == prints[ir.slug] and _intact(out_dir, recorded, prefix):
            kept |= {rel: h for rel, h in recorded.items() if rel.startswith(prefix)}
        else:
            todo.append(ir)
    for ir, rendered_files in _render_all(todo, progress):
        files |= {f"{ir.slug}/{rel}": text for rel, text in rendered_files.items()}
        rendered.append(ir.slug)
    if old_prints.get(PACKAGE_INIT) == prints[PACKAGE_INIT] and _intact(
        out_dir, recorded, PACKAGE_INIT
    ):
        kept[PACKAGE_INIT] = str(recorded[PACKAGE_INIT])
    else:
        files[PACKAGE_INIT] = render_package_file(irs)

    hashes = kept | {rel: _sha(text) for rel, text in files.items()}
    new_state = {
        "generator": __version__,
        "fingerprints": prints,
        "files": dict(sorted(hashes.items())),
    }
    files[STATE_FILE] = json.dumps(new_state, indent=2, sort_keys=True) + "\n"
    stale = owned_files(state) - set(hashes)
    report = write_tree(out_dir, files, stale, check=check)
    return GenerateResult(
        destinations=[ir.slug for ir in irs],
        rendered=rendered,
        models=sum(len(ir.model_names) for ir in irs),
        builders=sum(
            len(ir.auth) + 2 + (1 if ir.encryption else 0) + (0 if ir.auth else 1) for ir in irs
        ),
        report=report,
    )


def _render_all(
    irs: list[DestinationIR], progress: Callable[[str], None]
) -> Iterator[tuple[DestinationIR, dict[str, str]]]:
    """Render destinations, in parallel worker processes when there is more than one.

    Results come back in input order, so the output does not depend on scheduling.
    """
    workers = min(len(irs), os.cpu_count() or 1)
    if workers <= 1 or sys.platform != "linux":
        for ir in irs:
            progress(f"rendering {ir.slug} ({len(ir.units)} schemas)")
            yield ir, render_destination_files(ir)
        return
    # fork: the workers inherit the already-imported toolchain instead of importing it again.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for ir, result in zip(irs, pool.map(render_destination_files, irs), strict=True):
            progress(f"rendered {ir.slug} ({len(ir.units)} schemas)")
            yield ir, result


def render_destination_files(ir: DestinationIR) -> dict[str, str]:
    """Every file of one destination package, formatted: the expensive step, done only on change."""
    from generator.format import format_source
    from generator.models import generate_models
    from generator.render import banner, render_destination

    sources = render_destination(ir)
    sources |= generate_models(
        ir,
        lambda unit: banner(ir, f"{ir.name}: {unit.class_name}, from the spec's {unit.pointer}."),
    )
    return {rel: format_source(text) for rel, text in sorted(sources.items())}


def render_package_file(irs: list[DestinationIR]) -> str:
    from generator.format import format_source
    from generator.render import render_package

    return format_source(render_package(irs))


def _fingerprint(ir: DestinationIR, toolchain: str) -> str:
    return _sha(f"{toolchain}\0{ir.slug}\0{ir.sha256}\0{ir.flow_spec_id}")


def _fingerprint_package(irs: list[DestinationIR], toolchain: str) -> str:
    return _sha(toolchain + "\0" + ",".join(ir.slug for ir in irs))


def _intact(root: Path, recorded: dict[str, object], prefix: str) -> bool:
    """The files an earlier run wrote under ``prefix`` are all there, unedited."""
    mine = {rel: h for rel, h in recorded.items() if rel == prefix or rel.startswith(prefix)}
    if not mine:
        return False
    for rel, expected in mine.items():
        try:
            if _sha((root / rel).read_text(encoding="utf-8")) != expected:
                return False
        except OSError:
            return False
    return True


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
