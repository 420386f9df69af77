"""The intermediate representation: frozen records the templates and the model step read.

Types only; build_ir.py decides their contents, nothing else creates them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldType:
    """A named Annotated type in field_types.py: a secret with its pattern, or base64 text."""

    name: str
    secret: bool
    pattern: str | None
    base64: bool


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


@dataclass(frozen=True)
class AuthVariant:
    spec_name: str
    builder: str
    auth_class: str
    unit: SchemaUnit


@dataclass(frozen=True)
class DestinationIR:
    slug: str
    name: str
    spec_file: str
    sha256: str
    connection_spec_id: str
    connection_spec_version: str
    flow_spec_id: str
    accepted_flow_spec_ids: tuple[str, ...]
    auth: tuple[AuthVariant, ...]
    encryption: SchemaUnit | None
    encryption_spec_name: str | None
    target: SchemaUnit
    field_types: tuple[FieldType, ...]
    nested_classes: tuple[str, ...]

    @property
    def model_names(self) -> tuple[str, ...]:
        """Every class ``models/__init__.py`` re-exports, sorted."""
        names = {
            "BaseConnection",
            "ConnectionSpecRef",
            "Dataflow",
            "FlowSpecRef",
            "TargetConnection",
        }
        names |= {"TargetParams", *self.nested_classes}
        names |= {a.auth_class for a in self.auth} | {a.unit.class_name for a in self.auth}
        if self.encryption:
            names |= {"Encryption", "EncryptionParams"}
        return tuple(sorted(names))

    @property
    def builders(self) -> tuple[str, ...]:
        """The builder functions builders.py defines, in the order it defines them."""
        base = tuple(a.builder for a in self.auth) or ("base_connection",)
        extra = ("encryption",) if self.encryption else ()
        return (*base, *extra, "target_connection", "dataflow")

    @property
    def builder_typing(self) -> tuple[str, ...]:
        """Names builders.py imports from typing, judged from its parameter annotations."""
        params = [p for unit in self.units for p in unit.params]
        wanted = {"Any": "Any" in str([p.annotation for p in params])}
        wanted["Literal"] = any(p.annotation.startswith("Literal[") for p in params)
        return tuple(sorted(name for name, needed in wanted.items() if needed))

    @property
    def units(self) -> tuple[SchemaUnit, ...]:
        extra = (self.encryption,) if self.encryption else ()
        return (*(a.unit for a in self.auth), *extra, self.target)
