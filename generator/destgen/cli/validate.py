"""``destgen validate``: checks payload files offline against the generated models.

It reads files and reports; it never writes and never prints a payload value (secrets stay hidden).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

from destgen_runtime.activation.problems import message
from destgen_runtime.schema import strict_json
from destgen_runtime.schema.json_path import json_path

from destgen.cli.exit_codes import Exit
from destgen.cli.json_output import print_report
from destgen.errors import GeneratorError

# kind -> (a class of destgen_destinations.<slug>.models, a shared "module:class", or for a
# destination's patch bodies a "module:function" building the model from that destination's
# models; whether it needs a destination)
KINDS: dict[str, tuple[str, bool]] = {
    "source-connection": ("destgen_runtime.schema.refs:SourceConnection", False),
    "base-connection": ("BaseConnection", True),
    "target-connection": ("TargetConnection", True),
    "dataset-target-connection": ("DatasetTargetConnection", True),
    "dataflow": ("Dataflow", True),
    "dataset-dataflow": ("DatasetDataflow", True),
    "data-lake-source-connection": (
        "destgen_runtime.payloads.datasets:DataLakeSourceConnection",
        False,
    ),
    "dataflow-patch": ("destgen_runtime.payloads.patch_ops:Patch", False),
    "target-connection-patch": (
        "destgen_runtime.payloads.connection_patches:target_patch",
        True,
    ),
    "base-connection-patch": (
        "destgen_runtime.payloads.connection_patches:base_patch",
        True,
    ),
    "mapping-set": ("destgen_runtime.payloads.mapping:MappingSet", False),
}
AUTO = "auto"
# Activation files (destinations as code): checked whole, as ``activate --dry-run`` checks them.
ACTIVATION = "activation-file"
YAML_SUFFIXES = (".yaml", ".yml")


class _Unreadable(Exception):
    pass


STDIN = Path("-")


def run_validate_command(args: argparse.Namespace) -> int:
    """``destgen validate``: the parsed options, output to standard output."""
    return run_validate(args.kind, args.destination, args.files, out=sys.stdout, as_json=args.json)


def run_validate(
    kind: str,
    destination: str | None,
    inputs: Sequence[Path],
    *,
    out: IO[str],
    as_json: bool = False,
    stdin: IO[bytes] | None = None,
) -> int:
    """Validate every file (``-`` is stdin, a folder means its ``*.json`` files); one line per
    problem, or one JSON document. Exit 0 valid, 1 invalid, 2 unreadable.
    """
    worst: int = Exit.OK
    reports = []
    for path in expand_inputs(inputs):
        try:
            if path.suffix in YAML_SUFFIXES:
                found = validate_yaml(kind, destination, path)
            else:
                found = validate_bytes(kind, destination, read_input(path, stdin), path == STDIN)
        except _Unreadable as exc:
            reports.append({"file": str(path), "status": "unreadable", "problems": [str(exc)]})
            worst = Exit.USAGE
            continue
        problems = found.problems
        reports.append(
            {
                "file": str(path),
                "kind": found.kind,
                "status": "invalid" if problems else "ok",
                "problems": problems,
                "warnings": found.warnings,
            }
        )
        if problems:
            worst = max(worst, Exit.FAILED)
    if as_json:
        print_report({"kind": kind, "valid": worst == 0, "files": reports}, out)
        return worst
    for report in reports:
        for problem in report["problems"] or [f"ok ({report['kind']})"]:
            print(f"{report['file']}: {problem}", file=out)
        for warning in report.get("warnings") or []:
            print(f"{report['file']}: warning: {warning}", file=out)
    return worst


def expand_inputs(inputs: Sequence[Path]) -> list[Path]:
    """Files as given; a folder becomes its ``*.json`` files, sorted, symlinked folders not
    followed.
    """
    files: list[Path] = []
    for path in inputs:
        if path != STDIN and path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.suffix in (".json", *YAML_SUFFIXES) and p.is_file()
            )
        else:
            files.append(path)
    return files


def read_input(path: Path, stdin: IO[bytes] | None) -> bytes:
    """The bytes of ``path``, or of standard input when it is ``-``; refuses what is not a file."""
    if path == STDIN:
        return (stdin or sys.stdin.buffer).read()
    try:
        if not path.is_file():
            # A FIFO or device would block or never end: only regular files are read.
            kind = "does not exist" if not path.exists() else "is not a regular file"
            raise _Unreadable(f"cannot read: {kind}")
        return path.read_bytes()
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class Outcome:
    """One payload's verdict: the kind it was checked as, its problems and its warnings."""

    kind: str
    problems: list[str]
    warnings: list[str]


def validate_bytes(
    kind: str, destination: str | None, raw: bytes, yaml_too: bool = False
) -> Outcome:
    """Problems with one JSON payload given as bytes (empty when it is valid), and warnings about
    what is valid but likely unintended. Kind ``auto`` is told from the payload itself.
    ``yaml_too`` (stdin, which has no file name to tell): text that is not JSON is read as YAML.
    """
    try:
        data = strict_json.loads(raw, unique_keys=True)
    except (
        UnicodeDecodeError,
        json.JSONDecodeError,
        strict_json.NotJsonNumber,
        strict_json.DuplicateKey,
    ) as exc:
        if not yaml_too:
            raise _Unreadable(f"not JSON: {exc}") from None
        data = _yaml_document(raw, f"neither JSON ({exc}) nor YAML")
    except (RecursionError, ValueError) as exc:
        # Nesting deeper than the parser allows, or an integer beyond Python's digit limit.
        raise _Unreadable(f"not JSON this validator accepts: {type(exc).__name__}") from None
    return validate_data(kind, destination, data)


def _yaml_document(raw: bytes, what: str) -> Any:
    """YAML text as data (no aliases: an alias bomb is refused); _Unreadable saying ``what``."""
    from destgen.cli.activate import read_yaml

    try:
        data = read_yaml(raw.decode("utf-8"))
    except Exception as exc:  # yaml's errors, a decoding error: all mean "not readable"
        raise _Unreadable(f"{what}: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict | list):
        raise _Unreadable(f"{what}: a document is an object or an array")
    return data


def validate_data(kind: str, destination: str | None, data: Any) -> Outcome:
    """One parsed document, JSON or YAML alike: an activation file, or a request body."""
    if kind == ACTIVATION or (kind == AUTO and is_activation_file(data)):
        return _activation_outcome(data)
    if kind == AUTO:
        kind = infer_kind(data)
        if kind == AUTO:
            return Outcome(kind, [f"$: {CANNOT_TELL}"], [])
    problems = validate_payload(kind, destination, data)
    return Outcome(kind, problems, [] if problems else payload_warnings(kind, data))


def validate_yaml(kind: str, destination: str | None, path: Path) -> Outcome:
    """A YAML file: an activation file when it has an activation file's keys, else a request
    body written in YAML, told apart as a JSON one is.
    """
    from destgen.cli.activate import read_document

    try:
        data = read_document(path)
    except FileNotFoundError as exc:
        raise _Unreadable(str(exc).removeprefix(f"{path}: ")) from None
    return validate_data(kind, destination, data)


def is_activation_file(data: Any) -> bool:
    """True for a document with an activation file's top-level keys (never a request body)."""
    return isinstance(data, dict) and "destination" in data and "dataflow" in data


def activation_problems(data: Any) -> list[str]:
    """Every problem of an activation file, as ``activate --dry-run`` finds them (environment
    variables that are not set are not problems here: nothing is sent).
    """
    from destgen_runtime.activation.file import ActivationError
    from destgen_runtime.activation.payloads import parse_activation_file, prepare

    from destgen.cli.activate import encryption_key_problems

    try:
        payloads = prepare(parse_activation_file(data), placeholders=True)
    except ActivationError as exc:
        return list(exc.problems)
    return encryption_key_problems(payloads.file)


def _activation_outcome(data: Any) -> Outcome:
    problems = activation_problems(data)
    return Outcome(ACTIVATION, problems, [] if problems else activation_warnings(data))


def activation_warnings(data: Any) -> list[str]:
    """The warnings of a valid activation file (activate.file_warnings)."""
    from destgen_runtime.activation.payloads import parse_activation_file

    from destgen.cli.activate import file_warnings

    return file_warnings(parse_activation_file(data))


CANNOT_TELL = (
    "cannot tell what this payload is from its keys and spec ids; pass --kind "
    f"({', '.join(sorted(KINDS))})"
)


def infer_kind(data: Any) -> str:
    """The kind a payload is, told from its shape and spec ids, or ``auto`` when nothing tells.

    The workflow follows from the flow spec (a dataflow) or from ``datasetFileType`` (a target
    connection), the same keys the connection specs' conditionals read.
    """
    from destgen_runtime.api.constants import DATA_LAKE_SPEC_ID
    from destgen_runtime.schema.refs import PROFILE_STORE_SPEC_ID

    if isinstance(data, list):
        return "dataflow-patch"
    if not isinstance(data, dict):
        return AUTO
    if isinstance(data.get("flowSpec"), dict):
        flow_spec = str(data["flowSpec"].get("id"))
        dataset = any(flow_spec == _destination(s).spec.DATASET_FLOW_SPEC_ID for s in _slugs())
        return "dataset-dataflow" if dataset else "dataflow"
    spec_id = (data.get("connectionSpec") or {}).get("id")
    params = data["params"] if isinstance(data.get("params"), dict) else {}
    if spec_id == DATA_LAKE_SPEC_ID:
        return "data-lake-source-connection"
    if spec_id == PROFILE_STORE_SPEC_ID:
        return "source-connection"
    if "baseConnectionId" in data:
        return "dataset-target-connection" if "datasetFileType" in params else "target-connection"
    if "auth" in data or "encryptionSpecs" in data or "encryption" in data:
        return "base-connection"
    if "params" not in data and any(
        spec_id == _destination(s).spec.CONNECTION_SPEC_ID for s in _slugs()
    ):
        # A destination's connection spec and no params: a base connection, with no auth when
        # its spec takes none (Data Landing Zone, the ad platforms).
        return "base-connection"
    if {"inputSchema", "outputSchema", "mappings"} & set(data):
        return "mapping-set"
    return AUTO


def payload_warnings(kind: str, data: Any) -> list[str]:
    """What a valid payload does that its author may not expect (a dataset schedule without an
    end stops after six months): the rule is the schedule model's own.
    """
    if kind in ("dataflow", "dataflow-patch"):
        return _selector_warnings(data)
    if kind != "dataset-dataflow":
        return []
    from destgen_runtime.payloads.datasets import DatasetSchedule

    schedule = DatasetSchedule.model_validate(data["scheduleParams"], by_alias=True)
    return [f"$.scheduleParams: {warning}" for warning in schedule.warnings()]


def validate_payload(kind: str, destination: str | None, data: Any) -> list[str]:
    """Problems with one decoded payload of ``kind`` (empty when it is valid)."""
    if kind not in KINDS:
        raise GeneratorError("--kind", "", f"unknown kind {kind!r}; one of {sorted(KINDS)}")
    target, per_destination = KINDS[kind]
    if per_destination:
        slug = destination or detect_destination(data)
        if slug is None:
            return [
                "$: cannot tell the destination from connectionSpec.id or flowSpec.id; "
                "pass --destination"
            ]
        models = _destination(slug).models
        if ":" in target:
            module, factory = target.split(":")
            try:
                model = getattr(importlib.import_module(module), factory)(models)
            except ValueError as exc:  # nothing of this kind (no credentials to patch)
                return [f"$: {slug}: {exc}"]
        elif hasattr(models, target):
            model = getattr(models, target)
        else:
            return [f"$: {slug} has no {kind} (its connection spec does not declare one)"]
    else:
        module, name = target.split(":")
        model = getattr(importlib.import_module(module), name)
    return check(model, data, hint=_hint_for(kind, destination or detect_destination(data)))


def check(
    model: type[BaseModel], data: Any, *, hint: Callable[[str, str], str] | None = None
) -> list[str]:
    """Validate ``data`` by wire names only (snake_case keys are unknown keys in a payload)."""
    from destgen_runtime.schema.validity import is_valid
    from pydantic import RootModel, ValidationError

    root = issubclass(model, RootModel)
    if not root and is_valid(model, data):
        return []  # the usual case, answered without building the model or its errors
    try:
        if root:
            model.model_validate(data)
        else:
            model.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as exc:
        lines = []
        for error in exc.errors(include_input=False, include_url=False):
            where = json_path(data, error["loc"])
            text = _message(error)
            if hint is not None:
                text += hint(where, error["type"])
            lines.append(f"{where}: {text}")
        return sorted(set(lines))
    return []


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key: not in the connection spec or the documented request [extra_forbidden]"
    if kind == "missing":
        return "required key is missing [missing]"
    return f"{message(error)} [{kind}]"


def detect_destination(data: Any) -> str | None:
    """The slug whose connection spec id or audience flow spec id the payload names."""
    if not isinstance(data, dict):
        return None
    ids = {
        str((data.get(k) or {}).get("id"))
        for k in ("connectionSpec", "flowSpec")
        if isinstance(data.get(k), dict)
    }
    for slug in _slugs():
        spec = _destination(slug).spec
        # Either flow spec names the destination, so a dataset one is refused with its reason.
        flow_specs = {spec.AUDIENCE_FLOW_SPEC_ID, spec.DATASET_FLOW_SPEC_ID}
        if spec.CONNECTION_SPEC_ID in ids or ids & flow_specs:
            return slug
    return None


# Documented variants destgen decided against (README, "Decisions on doc contradictions").
KNOWN_VARIANTS = {
    "$.encryption": "; destgen sends file encryption as encryptionSpecs with encryptionAlgo "
    "PGPGPG, as the connection spec and the earlier tutorial do "
    "(destgen docs/decisions.md, decision 6)",
}


def _hint_for(kind: str, slug: str | None) -> Callable[[str, str], str] | None:
    if kind == "base-connection":
        return lambda where, error_type: KNOWN_VARIANTS.get(where, "")
    if kind != "target-connection" or slug is None:
        return None
    params = _destination(slug).models.TargetParams
    allowed = sorted(f.alias or n for n, f in params.model_fields.items())

    def hint(where: str, error_type: str) -> str:
        # The tutorial's "with CSV options" bodies for non-S3 destinations send S3's bucketName.
        if error_type == "extra_forbidden" and where.startswith("$.params."):
            return f"; {slug} target params are: {', '.join(allowed)}"
        return ""

    return hint


def _slugs() -> tuple[str, ...]:
    from destgen_destinations import registry

    return registry.SLUGS


def _destination(slug: str) -> Any:
    from destgen_destinations import registry

    if slug not in registry.SLUGS:
        raise GeneratorError(
            "--destination", "", f"unknown destination {slug!r}; one of {list(_slugs())}"
        )
    # Any: validation looks models up by the names a payload's kind implies.
    return registry.destination(slug)


def _selector_warnings(data: Any) -> list[str]:
    """File name template warnings of every audience a dataflow (or its PATCH) selects."""
    from destgen_runtime.payloads.audiences import template_warnings

    found = []
    for path, selector in _selectors_of(data):
        value = selector.get("value") if isinstance(selector, dict) else None
        template = value.get("filenameTemplate") if isinstance(value, dict) else None
        if isinstance(template, str):
            found += [f"{path}.value.filenameTemplate: {w}" for w in template_warnings(template)]
    return found


def _selectors_of(data: Any) -> list[tuple[str, Any]]:
    """``(JSON path, selector)`` of a dataflow's audience selectors (as the emulator walks them),
    or of a PATCH's added ones.
    """
    from destgen_emulator.service.validation import each_selector

    if isinstance(data, list):
        return [
            (f"$[{i}].value", op.get("value")) for i, op in enumerate(data) if isinstance(op, dict)
        ]
    transformations = data.get("transformations") if isinstance(data, dict) else None
    return list(each_selector(transformations if isinstance(transformations, list) else []))
