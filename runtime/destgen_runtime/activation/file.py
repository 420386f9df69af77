"""The activation file: what to create, with secrets only as references to environment variables.

Its JSON Schema is published by ``destgen activation-schema``; resolving it into payloads is here
too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SecretStr,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

# The generated registry: a new spec in the cache needs no edit here.
from destgen_destinations import registry
from destgen_runtime.activation.problems import env_on_plain_field
from destgen_runtime.payloads.audiences import AudienceValue, StreamingAudienceValue
from destgen_runtime.payloads.dataflow import AttributeKey, IdentityKey, check_primary_fields
from destgen_runtime.payloads.destination import DestinationPackage
from destgen_runtime.schema.core_checks import private_key_problem
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    ActivationError as ActivationError,
)
from destgen_runtime.schema.mask import MASK
from destgen_runtime.schema.refs import MarketingActionRef, NonEmpty


def _exactly_findable(name: str) -> str:
    # Entities are found again by name with property=name==NAME, where a comma means "any of":
    # such a name could never be matched exactly, so every run would create a duplicate.
    if "," in name:
        raise ValueError("a name with a comma cannot be looked up exactly; choose one without")
    if name != name.strip():
        raise ValueError("a name may not start or end with spaces")
    return name


EntityName = Annotated[NonEmpty, AfterValidator(_exactly_findable)]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class EnvRef(_Closed):
    """A secret's value comes from this environment variable, read just before sending."""

    @model_validator(mode="after")
    def _not_our_credentials(self) -> EnvRef:
        # The client's own credentials would be sent to the destination and shown in clear there.
        if self.env.upper().startswith("AEP_"):
            raise ValueError("AEP_* variables hold destgen's own credentials; use another name")
        return self

    env: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
            description="name of the environment variable that holds the value",
        ),
    ]


ParamValue = str | int | bool | EnvRef


class AuthConfig(_Closed):
    """``baseConnection.auth`` in an activation file: the auth spec name and its params."""

    spec_name: Annotated[
        NonEmpty, Field(alias="specName", description="auth spec name, e.g. 'Access Key'")
    ]
    params: Annotated[
        dict[str, ParamValue],
        Field(description="the auth spec's params by wire name; secrets only as {env: NAME}"),
    ]


class EncryptionConfig(_Closed):
    """``baseConnection.encryption`` in an activation file: PGP public key and spec name."""

    public_key: Annotated[
        str, Field(alias="publicKey", description="base64 PGP public key (public: written inline)")
    ]
    encryption_algo: Annotated[
        str, Field(alias="encryptionAlgo", description="as the connection spec names it")
    ] = "PGPGPG"

    @field_validator("public_key")
    @classmethod
    def _public_only(cls, value: str) -> str:
        # Written inline, stored and exported as it is: a private key here would leak.
        problem = private_key_problem(value)
        if problem is not None:
            raise PydanticCustomError("private_key", problem)
        return value


class BaseConnectionConfig(_Closed):
    """The credentials (and optional PGP encryption); adopted by name when it exists."""

    name: EntityName
    description: str | None = None
    auth: AuthConfig | None = None
    encryption: EncryptionConfig | None = None

    def secret_variables(self) -> list[str]:
        """The environment variables its credentials are read from, in the file's order."""
        params = self.auth.params.values() if self.auth is not None else ()
        return [ref.env for ref in params if isinstance(ref, EnvRef)]


class TargetConnectionConfig(_Closed):
    """Where files go and in what format; adopted by name when it exists."""

    name: EntityName
    description: str | None = None
    params: Annotated[
        dict[str, Any],
        Field(description="the targetSpec params by wire name: bucket or path, fileType, ..."),
    ]


class DatasetScheduleConfig(_Closed):
    """A dataset dataflow's schedule (``workflow: datasets`` only): one for all its datasets."""

    export_mode: Annotated[
        Literal["DAILY_FULL_EXPORT", "FIRST_FULL_THEN_INCREMENTAL"],
        Field(alias="exportMode", description="one-time full export, or incremental"),
    ] = "FIRST_FULL_THEN_INCREMENTAL"
    time_unit: Annotated[Literal["hour", "day"], Field(alias="timeUnit")]
    interval: Annotated[
        int, Field(description="0 day (one time, full); 1 day; 3, 6, 9 or 12 hour (incremental)")
    ]
    start: Annotated[
        AwareDatetime, Field(description="ISO 8601 with a time zone; sent as epoch seconds")
    ]
    end: Annotated[
        AwareDatetime | None,
        Field(description="without it, Adobe stops the export six months after creation"),
    ] = None
    folder_name_template: Annotated[
        str | None,
        Field(alias="folderNameTemplate", description="macros such as %DATASET_ID%"),
    ] = None


class DataflowConfig(_Closed):
    """The dataflow to the target; adopted by name when it exists."""

    name: EntityName
    description: str | None = None
    schedule: Annotated[
        DatasetScheduleConfig | None,
        Field(description="required for workflow datasets; audiences carry their own schedules"),
    ] = None
    enabled: Annotated[
        bool | None,
        Field(description="enable or disable the dataflow; unset leaves it as it is"),
    ] = None


class DatasetEntry(_Closed):
    """One dataset a dataset export sends: its Catalog id and name (``destgen datasets``)."""

    id: NonEmpty
    name: NonEmpty


class MappingRow(_Closed):
    """One exported column: a profile attribute or identity and its name in the file."""

    source: Annotated[NonEmpty, Field(description="XDM path, e.g. person.name.firstName")]
    destination: Annotated[NonEmpty, Field(description="column name in the exported file")]
    source_type: Annotated[str, Field(alias="sourceType")] = "ATTRIBUTE"


class DedupKeys(_Closed):
    """Deduplication key: an identity namespace, or XDM attribute paths."""

    identity_namespace: Annotated[NonEmpty | None, Field(alias="identityNamespace")] = None
    attribute_paths: Annotated[list[NonEmpty], Field(alias="attributePaths")] = []

    @model_validator(mode="after")
    def _as_the_patch_takes_them(self) -> DedupKeys:
        # An empty key would be sent as an empty primaryFields list, which the API rejects.
        if self.identity_namespace is None and not self.attribute_paths:
            raise ValueError("give identityNamespace or at least one of attributePaths")
        # The dataflow PATCH's own rule (one kind, one namespace, at most two paths), so a file
        # that validates never fails half-way through a run.
        keys: list[IdentityKey | AttributeKey] = [
            AttributeKey.model_validate({"attributePath": path}) for path in self.attribute_paths
        ]
        if self.identity_namespace is not None:
            keys.append(IdentityKey.model_validate({"identityNamespace": self.identity_namespace}))
        check_primary_fields(keys)
        return self


# What only one workflow's files may set, and the schema rule that says so.
AUDIENCE_ONLY = (
    "audiences",
    "mappings",
    "mandatoryFields",
    "deduplicationKeys",
    "marketingActions",
)
_WORKFLOW_RULES: list[JsonValue] = [
    {
        "if": {"required": ["workflow"], "properties": {"workflow": {"const": "datasets"}}},
        "then": {
            "required": ["datasets"],
            "properties": {
                "dataflow": {"required": ["schedule"]},
                **{key: {"not": {}} for key in AUDIENCE_ONLY},
            },
        },
        "else": {
            "properties": {
                "datasets": {"maxItems": 0},
                "dataflow": {"properties": {"schedule": {"type": "null"}}},
            }
        },
    }
]


AUDIENCES_HELP = (
    "the audiences to export, each with its file-name template, export mode and schedule (the "
    "selector's value; its type is added on the wire); a streaming destination's audiences "
    "name the audience alone"
)


class ActivationFile(_Closed):
    """One destination, its connections, one dataflow and what it exports: audiences (the
    default) or, with ``workflow: datasets``, datasets on a schedule.
    """

    model_config = ConfigDict(json_schema_extra={"allOf": _WORKFLOW_RULES})

    destination: Annotated[str, Field(json_schema_extra={"enum": list(registry.SLUGS)})]
    workflow: Annotated[
        str,
        Field(description="what the dataflow exports; the flow spec follows from it"),
    ] = "audiences"
    source_connection_name: Annotated[
        EntityName | None,
        Field(
            alias="sourceConnectionName",
            description="default 'Connect to Profile store' (audiences) or "
            "'Data Lake for <dataflow name>' (datasets)",
        ),
    ] = None
    base_connection: Annotated[BaseConnectionConfig, Field(alias="baseConnection")]
    target_connection: Annotated[TargetConnectionConfig, Field(alias="targetConnection")]
    dataflow: DataflowConfig
    # Checked in prepare() with the rest of the payloads, so one run reports every problem; the
    # published schema (activation_file_schema) types each audience in full.
    audiences: Annotated[list[dict[str, Any]], Field(description=AUDIENCES_HELP)] = []
    mappings: list[MappingRow] = []
    mandatory_fields: Annotated[
        list[NonEmpty],
        Field(alias="mandatoryFields", description="attributes a profile must have to be exported"),
    ] = []
    deduplication_keys: Annotated[DedupKeys | None, Field(alias="deduplicationKeys")] = None
    marketing_actions: Annotated[
        list[MarketingActionRef],
        Field(alias="marketingActions", description="marketing action constraint paths"),
    ] = []
    include_file_manifest: Annotated[
        bool | None,
        Field(alias="includeFileManifest", description="write a manifest file beside the exports"),
    ] = None
    datasets: Annotated[
        list[DatasetEntry],
        Field(description="workflow datasets: the datasets to export, at least one"),
    ] = []

    @field_validator("workflow")
    @classmethod
    def _known_workflow(cls, value: str) -> str:
        # The kinds are the registry's (workflows/): a new kind needs no edit here.
        from destgen_runtime.activation import workflows

        known = sorted({kind.file_workflow for kind in workflows.registered()})
        if value not in known:
            raise PydanticCustomError(
                "workflow", "one of {known}", {"known": ", ".join(repr(k) for k in known)}
            )
        return value

    @property
    def source_name(self) -> str:
        """The source connection's name: given, or this workflow's default."""
        if self.source_connection_name is not None:
            return self.source_connection_name
        if self.workflow == "datasets":
            return f"Data Lake for {self.dataflow.name}"
        return "Connect to Profile store"


def activation_file_schema() -> dict[str, Any]:
    """The published JSON Schema of activation files, every audience and schedule key typed
    with its rules (``destgen activation-schema``, docs/activation-file-reference.md).
    """
    published = create_model(
        "ActivationFile",
        __base__=ActivationFile,
        __doc__=ActivationFile.__doc__,
        audiences=(
            Annotated[
                list[AudienceValue | StreamingAudienceValue], Field(description=AUDIENCES_HELP)
            ],
            [],
        ),
    )
    schema = published.model_json_schema(by_alias=True)
    from destgen_runtime.activation import workflows

    kinds = sorted({kind.file_workflow for kind in workflows.registered()})
    schema["properties"]["workflow"]["enum"] = kinds
    # Which kind of audience a file takes is the destination's (its spec's frequency): the
    # schema says so per destination, read from the registry, never from a list kept here.
    streaming = [s for s in registry.SLUGS if registry.destination(s).spec.STREAMING]
    refs = {"file": "#/$defs/AudienceValue", "stream": "#/$defs/StreamingAudienceValue"}
    schema.setdefault("allOf", []).append(
        {
            "if": {"properties": {"destination": {"enum": streaming}}},
            "then": {"properties": {"audiences": {"items": {"$ref": refs["stream"]}}}},
            "else": {"properties": {"audiences": {"items": {"$ref": refs["file"]}}}},
        }
    )
    return schema


def destination_package(slug: str) -> DestinationPackage:
    """The generated package of destination ``slug``; an unknown slug is an ``ActivationError``."""
    try:
        return registry.destination(slug)
    except KeyError:
        known = ", ".join(registry.SLUGS)
        raise ActivationError(
            [f"$.destination: unknown destination {slug!r}; one of {known}"]
        ) from None


class Placeholder(str):
    """Stands in for an unset environment variable in a dry run: printed as ``***``, never sent."""

    def __new__(cls) -> Placeholder:
        """A string whose every rendering is the mask."""
        return super().__new__(cls, MASK)


def _secret_spelt_otherwise(key: str, secret_keys: frozenset[str]) -> str | None:
    """The secret ``key`` names in another spelling (``s3_secret_key``, ``S3SECRETKEY`` for
    ``s3SecretKey``), or None: only case, underscores and hyphens may differ.
    """

    def bare(name: str) -> str:
        return name.replace("_", "").replace("-", "").casefold()

    return next((secret for secret in sorted(secret_keys) if bare(secret) == bare(key)), None)


def resolve_secrets(
    params: Mapping[str, Any],
    secret_keys: frozenset[str],
    where: str,
    env: Mapping[str, str] = os.environ,
    *,
    placeholders: bool = False,
) -> dict[str, Any]:
    """Wire params with each EnvRef read from ``env``; an inline value for a secret is an error.

    With ``placeholders`` (dry runs) an unset variable becomes a :class:`Placeholder` instead of an
    error, so a file can be checked without its secrets. Every problem is reported at once.
    """
    resolved: dict[str, Any] = {}
    problems = []
    for key, value in params.items():
        if isinstance(value, EnvRef) and key not in secret_keys:
            # Only secrets come from the environment: a variable read into a plain field would be
            # printed, stored and shown in clear, whatever it holds.
            meant = _secret_spelt_otherwise(key, secret_keys)
            advice = (
                f"unknown key {key!r}; did you mean {meant!r}? (files use the API's field names)"
                if meant
                else env_on_plain_field(key)
            )
            problems.append(f"{where}.{key}: {advice}")
        elif isinstance(value, EnvRef):
            found = env.get(value.env)
            if not found and placeholders:
                resolved[key] = Placeholder()
                continue
            if not found:
                problems.append(f"{where}.{key}: environment variable {value.env} is not set")
            resolved[key] = SecretStr(found or "") if key in secret_keys else (found or "")
        elif key in secret_keys:
            problems.append(
                f'{where}.{key}: secrets may not be written in the file; use {{"env": "VARIABLE"}}'
            )
        else:
            resolved[key] = value
    if problems:
        raise ActivationError(problems)
    return resolved
