"""``destgen new DESTINATION``: a commented activation file to start from, for any destination of
the library in use (the bundled one, or a project's), in any workflow it supports: every required
param with a value that validates, each secret as the environment variable it will be read from.

The file is a starting point, never a guess that runs: names and ids are placeholders a user
replaces (``destgen audiences`` and ``destgen datasets`` list the real ones).
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import sys
from pathlib import Path
from typing import Any

from destgen_runtime.activation import workflows

from destgen.cli.exit_codes import Exit
from destgen.cli.say import say

# Placeholders that pass the specs' usual patterns (bucket, container and folder names).
PLACEHOLDER_TEXT = "replace-me"
PLACEHOLDER_AUDIENCE = "00000000-0000-4000-8000-000000000000"
PLACEHOLDER_DATASET = "000000000000000000000000"


def run_new(args: argparse.Namespace) -> int:
    """Print (or ``--out``) the activation file; exit 2 for an unknown destination or workflow."""
    from destgen_destinations import registry

    if args.destination not in registry.SLUGS:
        near = difflib.get_close_matches(args.destination, list(registry.SLUGS), n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        say(
            f"no destination {args.destination!r} in this library{hint} "
            f"(destgen destinations lists them)"
        )
        return Exit.USAGE
    package = registry.destination(args.destination)
    kinds = workflows.supported(package.spec)
    workflow = args.workflow or kinds[0].name
    refusal = _refused(package.spec, workflow)
    if refusal is not None:
        say(f"{args.destination}: {refusal}")
        return Exit.USAGE
    text = render(package, workflow, today=dt.datetime.now(dt.UTC).date())
    if args.out is None:
        sys.stdout.write(text)
        return Exit.OK
    out = Path(args.out)
    if out.exists():
        say(f"{out} exists; nothing written")
        return Exit.USAGE
    from destgen.writer import atomic_write_text

    atomic_write_text(out, text)
    say(f"wrote {out}; destgen validate {out} checks it")
    return Exit.OK


def _refused(spec: Any, workflow: str) -> str | None:
    """Why ``workflow`` cannot be written for a destination of ``spec`` (the registry's kinds)."""
    kinds = workflows.supported(spec)
    if any(kind.name == workflow for kind in kinds):
        return None
    names = " or ".join(kind.name for kind in kinds)
    what = ", ".join(kind.title for kind in kinds)
    return f"exports {what}, not {workflow}: use --workflow {names}"


def render(package: Any, workflow: str, *, today: dt.date) -> str:
    """The activation file as commented YAML."""
    import yaml
    from destgen_runtime.activation.export import secret_variable

    spec = package.spec
    doc: dict[str, Any] = {"destination": spec.SLUG}
    if workflow == "datasets":
        doc["workflow"] = "datasets"
    base: dict[str, Any] = {"name": f"My {spec.NAME} connection"}
    secrets: list[str] = []
    if spec.AUTH_SPEC_NAMES:
        spec_name = spec.AUTH_SPEC_NAMES[0]
        params = {}
        for key, prop in _required(_auth_params(package, spec_name)):
            if key in spec.SECRET_PARAMS.get(spec_name, ()):
                secrets.append(secret_variable(spec.SLUG, key))
                params[key] = {"env": secrets[-1]}
            else:
                params[key] = _placeholder(key, prop, _auth_params(package, spec_name))
        base["auth"] = {"specName": spec_name, "params": params}
    doc["baseConnection"] = base
    target_model = (
        package.models.DatasetTargetParams
        if workflow == "datasets"
        else package.models.TargetParams
    )
    doc["targetConnection"] = {
        "name": f"My {spec.NAME} target",
        "params": {
            key: _placeholder(key, prop, target_model) for key, prop in _required(target_model)
        },
    }
    doc["dataflow"] = {"name": f"My {workflow} to {spec.NAME}"}
    if workflow == "datasets":
        doc["dataflow"]["schedule"] = _dataset_schedule(today)
        doc["datasets"] = [{"id": PLACEHOLDER_DATASET, "name": "My dataset"}]
    else:
        doc |= _audience_part(workflow, today)
    header = _header(spec, workflow, secrets)
    body = str(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return header + body


def _dataset_schedule(today: dt.date) -> dict[str, Any]:
    """Daily incremental exports from today for a year (an end: never the six-month stop)."""
    start = dt.datetime.combine(today, dt.time(), dt.UTC)
    return {
        "exportMode": "FIRST_FULL_THEN_INCREMENTAL",
        "timeUnit": "day",
        "interval": 1,
        "start": start.isoformat().replace("+00:00", "Z"),
        "end": (start + dt.timedelta(days=365)).isoformat().replace("+00:00", "Z"),
    }


def _audience_part(workflow: str, today: dt.date) -> dict[str, Any]:
    """The audiences (with a schedule and file name for files) and the mappings."""
    audience: dict[str, Any] = {"id": PLACEHOLDER_AUDIENCE, "name": "My audience"}
    if workflow == "stream":
        return {
            "audiences": [audience],
            "mappings": [
                {"source": "Email", "destination": "email", "sourceType": "IDENTITY"},
            ],
        }
    audience |= {
        "filenameTemplate": "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%",
        "exportMode": "DAILY_FULL_EXPORT",
        "schedule": {
            "frequency": "DAILY",
            "triggerType": "AFTER_SEGMENT_EVAL",
            "startDate": today.isoformat(),
        },
    }
    return {
        "audiences": [audience],
        "mappings": [
            {"source": "person.name.firstName", "destination": "firstName"},
            {"source": "identityMap.Email", "destination": "Email"},
        ],
    }


def _header(spec: Any, workflow: str, secrets: list[str]) -> str:
    lines = [
        f"# {spec.NAME} ({workflow}): an activation file to start from (destgen new).",
        "# Replace every name, id and replace-me; then: destgen validate FILE, destgen plan FILE.",
    ]
    if workflow == "datasets":
        lines.append(
            "# Dataset ids: destgen datasets. Without an end, Adobe stops an export "
            "after six months."
        )
    else:
        lines.append("# Audience ids: destgen audiences.")
    if secrets:
        lines.append(f"# Secrets are read from the environment: set {', '.join(secrets)}.")
    return "\n".join(lines) + "\n"


def _auth_params(package: Any, spec_name: str) -> Any:
    """The params model of one auth variant (by its spec name)."""
    from pydantic import BaseModel

    for name in dir(package.models):
        cls = getattr(package.models, name)
        if isinstance(cls, type) and issubclass(cls, BaseModel) and name.endswith("Auth"):
            literal = cls.model_fields["spec_name"].annotation
            if spec_name in getattr(literal, "__args__", ()):
                return cls.model_fields["params"].annotation
    raise LookupError(spec_name)


def _required(model: Any) -> list[tuple[str, dict[str, Any]]]:
    """The required params of ``model`` by wire name, with their JSON Schema."""
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", ()))
    return [(k, p) for k, p in schema.get("properties", {}).items() if k in required]


# Allowed values chosen over the first one: GZIP is valid with every file type (a JSON dataset
# export must be compressed).
PREFERRED = {"compression": "GZIP"}
# Text placeholders tried in turn against the field's own rules (a spec pattern the JSON Schema
# of the model does not show): the first the field accepts is written.
TEXT_PLACEHOLDERS = (PLACEHOLDER_TEXT, "REPLACEME", "REPLACEMEREPLACEMEAB", "replace.me", "r")


def _placeholder(key: str, prop: dict[str, Any], model: Any) -> Any:
    """A value that validates: the default, else the first allowed value, else a placeholder of
    the field's type that the field's own rules accept.
    """
    if "default" in prop and prop["default"] is not None:
        return prop["default"]
    if prop.get("enum"):
        preferred = PREFERRED.get(key)
        return preferred if preferred in prop["enum"] else prop["enum"][0]
    kind = prop.get("type")
    if kind == "integer":
        return int(prop.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    accepts = _field_check(model, key)
    return next((t for t in TEXT_PLACEHOLDERS if accepts(t)), PLACEHOLDER_TEXT)


def _field_check(model: Any, wire_name: str) -> Any:
    """Whether the field of ``model`` named ``wire_name`` on the wire accepts a value."""
    from typing import Annotated

    from pydantic import TypeAdapter, ValidationError

    for name, info in model.model_fields.items():
        if (info.alias or name) == wire_name:
            form: Any = (
                Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
            )
            adapter = TypeAdapter(form)

            def accepts(value: str, adapter: TypeAdapter[Any] = adapter) -> bool:
                try:
                    adapter.validate_python(value)
                except ValidationError:
                    return False
                return True

            return accepts
    return lambda _value: True
