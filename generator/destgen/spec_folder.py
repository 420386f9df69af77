"""A folder of connection specs: the curated ones its manifest.json lists (if it has one), and
every other ``*.json`` file as a raw spec, what ``GET /connectionSpecs/{id}`` returns, with no
hand-written entry.

A raw spec's slug comes from its name, its version from the spec, its flow spec ids from a
manifest entry (``destgen fetch`` writes them) or nowhere: then they are unknown, and the
generated dataflow builder asks for one. Each spec is loaded or refused with every reason it has,
so one bad spec never stops the folder; specs that are no destination are refused as such.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from destgen_runtime.schema.dialect import not_a_destination, standardise
from destgen_runtime.schema.naming import slug_of

from destgen.errors import GeneratorError
from destgen.specs import (
    MANIFEST,
    LoadedSpec,
    envelope_problems,
    load_specs,
    normalise_encryption_key,
    read_json,
)


@dataclass(frozen=True)
class Refusal:
    """A spec the generator will not turn into a package, with every reason as
    ``file#/pointer: reason``.
    """

    file: str
    name: str
    reasons: tuple[str, ...]
    # True for a spec that is no destination at all (a tag extension, a source): expected in a
    # folder of everything the service lists, and reported apart from specs that are broken.
    not_a_destination: bool = False


@dataclass
class SpecFolder:
    """What a folder holds: specs to generate, specs refused, and the dialect notes."""

    specs: list[LoadedSpec] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_spec_folder(folder: Path) -> SpecFolder:
    """Every spec of ``folder``: the manifest's curated entries (strict, as before: a broken
    curated entry stops the run) and each other JSON file as a raw spec.
    """
    result = SpecFolder()
    if (folder / MANIFEST).is_file():
        result.specs += load_specs(folder)
        result.notes += [note for spec in result.specs for note in spec.notes]
    curated = {Path(s.file).name for s in result.specs}
    raw = sorted(p for p in folder.glob("*.json") if p.name != MANIFEST and p.name not in curated)
    loaded: list[LoadedSpec] = []
    for path in raw:
        outcome = _read_raw(path, result.notes)
        if isinstance(outcome, Refusal):
            result.refused.append(outcome)
        else:
            loaded.append(outcome)
    _curated_ids_once(result.specs)
    loaded = _ids_once(loaded, result.specs, result.refused)
    taken = {s.slug: s.file for s in result.specs}
    clashes = _clashes(loaded, taken)
    for spec in loaded:
        if spec.slug in clashes:
            others = sorted(f for f in clashes[spec.slug] if f != spec.file)
            result.refused.append(
                Refusal(
                    spec.file,
                    str(spec.data["name"]),
                    (
                        f"{spec.file}#/name: its slug {spec.slug!r} is also the slug of "
                        f"{', '.join(others)}; give each a manifest entry with its own slug",
                    ),
                )
            )
        else:
            result.specs.append(spec)
    result.specs.sort(key=lambda s: s.slug)
    return result


def _spec_id(spec: LoadedSpec) -> str:
    return str(spec.data.get("id"))


def _curated_ids_once(curated: list[LoadedSpec]) -> None:
    """Two manifest entries of one spec id would be two packages of one destination, the
    registry keeping whichever came last: a broken manifest, refused (as any broken entry is).
    """
    files: dict[str, str] = {}
    for spec in curated:
        if (other := files.setdefault(_spec_id(spec), spec.file)) != spec.file:
            raise GeneratorError(
                spec.file,
                "/id",
                f"connection spec {_spec_id(spec)} is also in {other}; keep one file per spec",
            )


def _ids_once(
    loaded: list[LoadedSpec], curated: list[LoadedSpec], refused: list[Refusal]
) -> list[LoadedSpec]:
    """The raw specs whose id no other file holds; each other one refused naming every file
    that holds its id (the same spec under two names is never two packages).
    """
    holders: dict[str, list[str]] = {}
    for spec in [*curated, *loaded]:
        holders.setdefault(_spec_id(spec), []).append(spec.file)
    kept = []
    for spec in loaded:
        others = [f for f in holders[_spec_id(spec)] if f != spec.file]
        if not others:
            kept.append(spec)
            continue
        refused.append(
            Refusal(
                spec.file,
                str(spec.data.get("name")),
                (
                    f"{spec.file}#/id: connection spec {_spec_id(spec)} is also in "
                    f"{', '.join(sorted(others))}; keep one file per spec",
                ),
            )
        )
    return kept


def _clashes(loaded: list[LoadedSpec], taken: dict[str, str]) -> dict[str, list[str]]:
    """Slugs two specs would share (or a curated entry already has), with every file claiming
    each: none of them wins by file order, so the outcome never depends on a listing.
    """
    claims: dict[str, list[str]] = {}
    for spec in loaded:
        claims.setdefault(spec.slug, []).append(spec.file)
    return {
        slug: files + ([taken[slug]] if slug in taken else [])
        for slug, files in claims.items()
        if len(files) > 1 or slug in taken
    }


def _read_raw(path: Path, notes: list[str]) -> LoadedSpec | Refusal:
    file = str(path)
    try:
        raw = read_json(path)
    except GeneratorError as exc:
        return Refusal(file, path.name, (str(exc),))
    if isinstance(raw, dict) and isinstance(raw.get("items"), list) and len(raw["items"]) == 1:
        raw = raw["items"][0]  # a saved GET /connectionSpecs/{id} answer
    if not isinstance(raw, dict):
        return Refusal(file, path.name, (f"{file}#/: expected a connection spec object",))
    name = str(raw.get("name") or path.name)
    not_destination = not_a_destination(raw)
    if not_destination is not None:
        pointer, reason = not_destination
        return Refusal(file, name, (f"{file}#{pointer}: {reason}",), not_a_destination=True)
    spec, spec_notes = standardise(raw)
    notes += [f"{file}#{note}" for note in spec_notes]
    try:
        data = normalise_encryption_key(file, spec)
    except GeneratorError as exc:
        return Refusal(file, name, (str(exc),))
    ignored: list[str] = []
    problems = envelope_problems(file, data, ignored)
    if problems:
        return Refusal(file, name, tuple(str(p) for p in problems))
    return LoadedSpec(
        slug_of(name),
        file,
        hashlib.sha256(path.read_bytes()).hexdigest(),
        data,
        None,
        ignored=tuple(ignored),
    )
