"""The house's import direction: the runtime's rooms import only downward, and of the three parts
(library, emulator, tool) each imports only the parts below it.

Read from the source with ``ast`` (every import, nested and type-only ones included), so an upward
import fails here before it can make a cycle at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from destgen.executed import imported_modules
from tests.conftest import DATASET_SLUGS, ROOT

LIBRARY = ROOT / "generated" / "destgen_destinations"
RUNTIME = ROOT / "runtime" / "destgen_runtime"
EMULATOR = ROOT / "emulator" / "destgen_emulator"
TOOL = ROOT / "generator" / "destgen"

# The runtime's rooms from the bottom up; the generated destination packages stand between the
# shared payloads and the activation engine that loads them.
RUNTIME_LAYERS = ("schema", "api", "transport", "payloads", "destinations", "activation")
# Which parts each part may import (besides itself and third-party packages). The runtime and
# the generated packages are one part, the library: the rooms above order them (the activation
# room loads the generated packages; they stand on the rooms below).
PARTS = {
    "library": set(),
    "destgen_emulator": {"library"},
    "destgen": {"library", "destgen_emulator"},
}
LIBRARY_PACKAGES = {"destgen_destinations", "destgen_runtime"}


def runtime_layer(module: str) -> str | None:
    """The room of a library module name; None for a module outside the library."""
    parts = module.split(".")
    if parts[0] == "destgen_destinations":
        return "destinations"  # the generated packages, their registry and top-level package
    if parts[0] != "destgen_runtime":
        return None
    if len(parts) == 1:
        return "schema"  # the runtime's root re-exports schema.wire only
    return parts[1] if parts[1] in RUNTIME_LAYERS else None


def upward_imports(module: str, source: str) -> list[str]:
    """The imports of library module ``module`` that reach a room above its own."""
    own = runtime_layer(module)
    assert own is not None, module
    rank = RUNTIME_LAYERS.index(own)
    bad: dict[str, str] = {}  # one line per room reached (``from X import y`` names X and X.y)
    for target in imported_modules(source):
        layer = runtime_layer(target)
        if layer is not None and RUNTIME_LAYERS.index(layer) > rank:
            bad.setdefault(layer, f"{module} imports {target} ({own} -> {layer})")
    return list(bad.values())


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _modules(root: Path) -> list[tuple[str, Path]]:
    return [(_module_name(p, root), p) for p in sorted(root.rglob("*.py"))]


def test_every_runtime_module_lives_in_a_room() -> None:
    loose = [p.name for p in RUNTIME.glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"runtime modules outside a sub-package: {loose}"
    rooms = sorted(p.name for p in RUNTIME.iterdir() if (p / "__init__.py").is_file())
    assert rooms == sorted(set(RUNTIME_LAYERS) - {"destinations"})


@pytest.mark.parametrize("room", [r for r in RUNTIME_LAYERS if r != "destinations"])
def test_each_room_opens_with_its_job_and_public_names(room: str) -> None:
    doc = ast.get_docstring(ast.parse((RUNTIME / room / "__init__.py").read_text()))
    assert doc is not None
    assert doc.startswith(f"{room}: ")
    for module in (p.stem for p in (RUNTIME / room).glob("*.py") if p.stem != "__init__"):
        assert f"``{module}``" in doc, f"{room}/__init__.py does not name {module}"


def test_library_imports_only_downward() -> None:
    bad = [
        problem
        for module, path in [*_modules(LIBRARY), *_modules(RUNTIME)]
        for problem in upward_imports(module, path.read_text(encoding="utf-8"))
    ]
    assert bad == []


@pytest.mark.parametrize("part", sorted(PARTS), ids=sorted(PARTS))
def test_each_part_imports_only_the_parts_below_it(part: str) -> None:
    roots = {"library": [LIBRARY, RUNTIME], "destgen_emulator": [EMULATOR], "destgen": [TOOL]}
    others = set(PARTS) - {part} - PARTS[part]
    bad = [
        f"{module} imports {target}"
        for root in roots[part]
        for module, path in _modules(root)
        for target in imported_modules(path.read_text(encoding="utf-8"))
        if _part(target) in others
    ]
    assert bad == []


def _part(module: str) -> str:
    top = module.split(".")[0]
    return "library" if top in LIBRARY_PACKAGES else top


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "destgen_runtime.transport.core",
            "from destgen_runtime.activation import engine",
            ["transport -> activation"],
        ),
        (
            "destgen_runtime.schema.wire",
            "def f():\n    import destgen_runtime.api.operations\n",
            ["schema -> api"],
        ),
        (
            "destgen_runtime.payloads.audiences",
            "from destgen_destinations import amazon_s3",
            ["payloads -> destinations"],
        ),
        (
            "destgen_runtime.activation.engine",
            "from destgen_destinations import x",
            [],
        ),
        ("destgen_destinations.amazon_s3.builders", "import destgen_runtime", []),
    ],
    ids=["from-import", "nested-import", "generated-package", "downward", "runtime-root"],
)
def test_upward_import_check_catches_each_form(
    module: str, source: str, expected: list[str]
) -> None:
    found = upward_imports(module, source)
    assert [f.split("(")[1].rstrip(")") for f in found] == expected


def test_the_registry_finds_each_destination_by_each_id() -> None:
    from destgen_destinations import DESTINATIONS, registry

    assert registry.SLUGS == DESTINATIONS
    for slug in registry.SLUGS:
        package = registry.destination(slug)
        assert slug == package.spec.SLUG
        spec_id = package.spec.CONNECTION_SPEC_ID
        assert registry.by_connection_spec(spec_id) is package
        if package.spec.AUDIENCE_FLOW_SPEC_ID is not None:  # None: looked up when activating
            # A shared flow spec (legacy batch: legacy S3 and Event Hubs) needs the target's spec.
            assert registry.by_flow_spec(package.spec.AUDIENCE_FLOW_SPEC_ID, spec_id) is package
        if package.spec.DATASET_FLOW_SPEC_ID:
            assert registry.by_flow_spec(package.spec.DATASET_FLOW_SPEC_ID) is package
    assert registry.by_connection_spec("not-a-spec") is None
    assert registry.by_flow_spec("not-a-spec") is None
    with pytest.raises(KeyError):
        registry.destination("os")  # a file's text never chooses a module outside the table


def test_mypy_holds_every_package_to_the_contract() -> None:
    source = (LIBRARY / "registry.py").read_text()
    from destgen_destinations import DESTINATIONS, registry

    for slug in DESTINATIONS:
        # Those that export datasets too are held to the dataset contract, which includes the other.
        kind = "Dataset" if slug in DATASET_SLUGS else "Destination"
        for member in (f"package: {kind}Package", "spec: DestinationSpec", f"models: {kind}Models"):
            assert f"_{slug}_{member}" in source
    shared = "71471eba-b620-49e4-90fd-23f1fa0174d8"
    assert (
        registry.by_flow_spec(shared) is None
    )  # two destinations: the flow spec alone decides none


# The emulator's rooms from the bottom up; each imports only the rooms below it (and the
# library's runtime, a part below the emulator).
EMULATOR_ROOMS = ("delivery", "storage", "service", "http")


def emulator_room(module: str) -> str | None:
    """The room of an emulator module name; None outside the emulator or at its root."""
    parts = module.split(".")
    if parts[0] != "destgen_emulator" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in EMULATOR_ROOMS else None


def test_every_emulator_module_lives_in_a_room() -> None:
    loose = sorted(p.name for p in EMULATOR.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"], f"emulator modules outside a room: {loose}"
    rooms = sorted(p.name for p in EMULATOR.iterdir() if (p / "__init__.py").is_file())
    assert rooms == sorted(EMULATOR_ROOMS)


@pytest.mark.parametrize("room", EMULATOR_ROOMS)
def test_each_emulator_room_names_its_modules(room: str) -> None:
    doc = ast.get_docstring(ast.parse((EMULATOR / room / "__init__.py").read_text()))
    assert doc is not None
    assert doc.startswith(f"{room}: ")
    for module in (p.stem for p in (EMULATOR / room).glob("*.py") if p.stem != "__init__"):
        assert f"``{module}``" in doc, f"{room}/__init__.py does not name {module}"


def test_the_emulator_rooms_import_only_downward() -> None:
    bad = []
    for module, path in _modules(EMULATOR):
        own = emulator_room(module)
        if own is None:
            continue
        for target in imported_modules(path.read_text(encoding="utf-8")):
            layer = emulator_room(target)
            if layer is not None and EMULATOR_ROOMS.index(layer) > EMULATOR_ROOMS.index(own):
                bad.append(f"{module} imports {target} ({own} -> {layer})")
    assert bad == []
