"""The intermediate representation: frozen records the templates and the model step read.

Types only; build_ir.py decides their contents, nothing else creates them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from destgen.literal import text_chunks

# What every destination package re-exports besides its own builders (see the __init__ template).
PACKAGE_SUBMODULES = ("builders", "checks", "models", "spec")
RUNTIME_HELPERS = (
    ("payloads.audiences", "audience"),
    ("payloads.mapping", "mapping"),
    ("payloads.mapping", "mapping_set"),
    ("schema.refs", "source_connection"),
    ("schema.wire", "to_wire"),
)

AuthShape = Literal["union", "single", "none"]

# The request bodies every destination's envelopes.py defines, whatever its spec holds.
REQUEST_ENVELOPES = (
    "BaseConnection",
    "ConnectionSpecRef",
    "Dataflow",
    "FlowSpecRef",
    "TargetConnection",
)


@dataclass(frozen=True)
class FieldType:
    """A named Annotated type in field_types.py: a secret with its pattern, or base64 text."""

    name: str
    secret: bool
    pattern: str | None
    base64: bool
    # Where the spec declares it (the first field, when several share one type); not part of
    # what the type is.
    pointer: str = field(default="", compare=False)


@dataclass(frozen=True)
class Param:
    """One builder keyword argument and the wire key it fills."""

    py_name: str
    wire_name: str
    annotation: str
    required: bool
    default: str | None
    description: str
    secret: bool = False


@dataclass(frozen=True)
class SchemaUnit:
    """One datamodel-code-generator call: a JSON Schema that becomes ``models/<module>.py``."""

    module: str
    class_name: str
    schema_json: str
    pointer: str
    params: tuple[Param, ...]
    # Classes that need the Python-level checks (explicit nulls, conditionals); the rest rely on
    # pydantic-core alone.
    checked: tuple[str, ...] = ()
    # The root class's base when a workflow adds rules of its own ("module.Class"), else None.
    root_base: str | None = None


@dataclass(frozen=True)
class AuthVariant:
    """One auth spec of a destination: its name, builder, envelope class and params schema."""

    spec_name: str
    builder: str
    auth_class: str
    unit: SchemaUnit


@dataclass(frozen=True)
class DestinationIR:
    """Everything the templates and the model step need to know about one destination."""

    slug: str
    name: str
    spec_file: str
    sha256: str
    connection_spec_id: str
    connection_spec_version: str
    # None when unknown (a raw spec with no manifest entry): the dataflow builder asks for one.
    flow_spec_id: str | None
    # The same destination's dataset-export flow spec: never accepted on an audience dataflow.
    dataset_flow_spec_id: str | None
    # Profiles streamed (Event Hubs, Braze) rather than files written: what the spec declares.
    streaming: bool
    # targetSpec.attributes.partnerSchema.jsonSchema: where a mapping set's output schema starts.
    partner_schema: dict[str, Any] | None
    auth: tuple[AuthVariant, ...]
    encryption: SchemaUnit | None
    encryption_spec_name: str | None
    target: SchemaUnit
    # The dataset-export workflow's target params (None: the spec declares no workflows).
    dataset_target: SchemaUnit | None
    field_types: tuple[FieldType, ...]
    nested_classes: tuple[str, ...]

    @property
    def partner_schema_chunks(self) -> tuple[str, ...]:
        """The partner schema as compact, ASCII JSON text, in literals that fit a line."""
        text = json.dumps(self.partner_schema, separators=(",", ":"), sort_keys=False)
        return text_chunks(text)

    @property
    def workflows(self) -> tuple[str, ...]:
        """The kinds of dataflow this destination supports, in the runtime registry's order and
        names (destgen_runtime.activation.workflows; a test holds the two to one answer): one
        template of ``templates/destination/workflows/`` each renders its builders.
        """
        audience = "stream" if self.streaming else "audiences"
        # A spec that declares the dataset workflow: its target builder even while the flow
        # spec is unknown (a raw spec with no manifest entry), its dataflow builder once known.
        datasets = bool(self.dataset_flow_spec_id or self.dataset_target) and not self.streaming
        return (audience, "datasets") if datasets else (audience,)

    @property
    def envelope_classes(self) -> tuple[str, ...]:
        """Every class ``models/envelopes.py`` defines: request bodies and their parts, sorted."""
        names = {*REQUEST_ENVELOPES, *(a.auth_class for a in self.auth)}
        if self.encryption:
            names.add("Encryption")
        if self.dataset_target:
            names.add("DatasetTargetConnection")
        if self.dataset_flow_spec_id:
            names |= {"DatasetDataflow", "DatasetFlowSpecRef"}
        return tuple(sorted(names))

    @property
    def model_names(self) -> tuple[str, ...]:
        """Every class ``models/__init__.py`` re-exports, sorted: envelopes and spec params."""
        names = {*self.envelope_classes, "TargetParams", *self.nested_classes}
        names |= {a.unit.class_name for a in self.auth}
        if self.dataset_target:
            names.add(self.dataset_target.class_name)
        if self.encryption:
            names.add("EncryptionParams")
        # isort's order, as ruff's RUF022 checks __all__: all-caps names (a nested "S3") first.
        return tuple(sorted(names, key=lambda n: (not n.isupper(), n)))

    @property
    def auth_shape(self) -> AuthShape:
        """How ``BaseConnection.auth`` is typed: a discriminated union, one class, or absent."""
        if len(self.auth) > 1:
            return "union"
        return "single" if self.auth else "none"

    @property
    def base_connection_spec_required(self) -> bool:
        """Whether ``BaseConnection.connectionSpec`` is required.

        A destination without an auth spec (Data Landing Zone) is documented with a body of only
        ``{"name": ...}``: no auth, no connectionSpec; the field stays optional there.
        """
        return bool(self.auth)

    @property
    def builders(self) -> tuple[str, ...]:
        """The builder functions builders.py defines, in the order it defines them."""
        base = tuple(a.builder for a in self.auth) or ("base_connection",)
        extra = ("encryption",) if self.encryption else ()
        # Then each kind's own (templates/destination/workflows/), in the kinds' order.
        dataset = ("dataset_target_connection",) if self.dataset_target else ()
        flows = ("dataset_dataflow",) if self.dataset_flow_spec_id else ()
        return (*base, *extra, "target_connection", "dataflow", *dataset, *flows)

    @property
    def package_exports(self) -> tuple[str, ...]:
        """The destination package's ``__all__``: its builders, submodules and runtime helpers."""
        helpers = (name for _module, name in self.runtime_helpers)
        return tuple(sorted({*self.builders, *PACKAGE_SUBMODULES, *helpers}))

    @property
    def export_homes(self) -> tuple[tuple[str, str], ...]:
        """``(name, module it is imported from)`` of every name in ``package_exports``, sorted;
        the package's own modules relative, a submodule's home ``"."`` (destgen_runtime.exports).
        """
        homes = {name: ".builders" for name in self.builders}
        homes |= {name: "." for name in PACKAGE_SUBMODULES}
        homes |= {name: f"destgen_runtime.{module}" for module, name in self.runtime_helpers}
        return tuple(sorted(homes.items()))

    @property
    def runtime_helpers(self) -> tuple[tuple[str, str], ...]:
        """``(runtime module, name)`` pairs the destination package re-exports."""
        return RUNTIME_HELPERS

    @property
    def builder_typing(self) -> tuple[str, ...]:
        """Names builders.py imports from typing, judged from its parameter annotations."""
        params = [p for unit in self.units for p in unit.params]
        wanted = {"Any": "Any" in str([p.annotation for p in params])}
        wanted["Literal"] = any(p.annotation.startswith("Literal[") for p in params)
        return tuple(sorted(name for name, needed in wanted.items() if needed))

    @property
    def units(self) -> tuple[SchemaUnit, ...]:
        """The schema units datamodel-code-generator turns into models: auth, encryption, the
        targets of both workflows.
        """
        extra = (self.encryption,) if self.encryption else ()
        dataset = (self.dataset_target,) if self.dataset_target else ()
        return (*(a.unit for a in self.auth), *extra, self.target, *dataset)
