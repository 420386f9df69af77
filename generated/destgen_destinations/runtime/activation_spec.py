"""The activation file: what to create, with secrets only as references to environment variables.

Its JSON Schema is published by ``destgen activation-schema``; resolving it into payloads is here
too.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, model_validator

# The generated package's own list: a new spec in the cache needs no edit here.
from destgen_destinations import DESTINATIONS
from destgen_destinations.runtime.field_rules import MASK
from destgen_destinations.runtime.refs import NonEmpty


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


class BaseConnectionConfig(_Closed):
    """The credentials (and optional PGP encryption); adopted by name when it exists."""

    name: EntityName
    description: str | None = None
    auth: AuthConfig | None = None
    encryption: EncryptionConfig | None = None


class TargetConnectionConfig(_Closed):
    """Where files go and in what format; adopted by name when it exists."""

    name: EntityName
    description: str | None = None
    params: Annotated[
        dict[str, Any],
        Field(description="the targetSpec params by wire name: bucket or path, fileType, ..."),
    ]


class DataflowConfig(_Closed):
    """The dataflow from the Profile store to the target; adopted by name when it exists."""

    name: EntityName
    description: str | None = None


class MappingRow(_Closed):
    """One exported column: a profile attribute or identity and its name in the file."""

    source: Annotated[NonEmpty, Field(description="XDM path, e.g. person.name.firstName")]
    destination: Annotated[NonEmpty, Field(description="column name in the exported file")]
    source_type: Annotated[str, Field(alias="sourceType")] = "ATTRIBUTE"


class DedupKeys(_Closed):
    """Deduplication key: an identity namespace, or XDM attribute paths."""

    identity_namespace: Annotated[str | None, Field(alias="identityNamespace")] = None
    attribute_paths: Annotated[list[str], Field(alias="attributePaths")] = []

    @model_validator(mode="after")
    def _not_empty(self) -> DedupKeys:
        # An empty key would be sent as an empty primaryFields list, which the API rejects.
        if self.identity_namespace is None and not self.attribute_paths:
            raise ValueError("give identityNamespace or at least one of attributePaths")
        return self


class ActivationFile(_Closed):
    """One destination, its connections, one dataflow and what it exports."""

    destination: Annotated[str, Field(json_schema_extra={"enum": list(DESTINATIONS)})]
    source_connection_name: Annotated[EntityName, Field(alias="sourceConnectionName")] = (
        "Connect to Profile store"
    )
    base_connection: Annotated[BaseConnectionConfig, Field(alias="baseConnection")]
    target_connection: Annotated[TargetConnectionConfig, Field(alias="targetConnection")]
    dataflow: DataflowConfig
    audiences: Annotated[
        list[dict[str, Any]],
        Field(description="audience selectors: id, name, filenameTemplate, exportMode, schedule"),
    ] = []
    mappings: list[MappingRow] = []
    mandatory_fields: Annotated[
        list[str],
        Field(alias="mandatoryFields", description="attributes a profile must have to be exported"),
    ] = []
    deduplication_keys: Annotated[DedupKeys | None, Field(alias="deduplicationKeys")] = None
    marketing_actions: Annotated[
        list[str], Field(alias="marketingActions", description="marketing action constraint paths")
    ] = []
    include_file_manifest: Annotated[
        bool | None,
        Field(alias="includeFileManifest", description="write a manifest file beside the exports"),
    ] = None


class ActivationError(Exception):
    """A problem in an activation file, already phrased as ``<JSON path>: <reason>`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def destination_package(slug: str) -> Any:
    """The generated package of destination ``slug``; an unknown slug is an ``ActivationError``."""
    if slug not in DESTINATIONS:
        raise ActivationError(
            [f"$.destination: unknown destination {slug!r}; one of {', '.join(DESTINATIONS)}"]
        )
    return importlib.import_module(f"destgen_destinations.{slug}")


class Placeholder(str):
    """Stands in for an unset environment variable in a dry run: printed as ``***``, never sent."""

    def __new__(cls) -> Placeholder:
        """A string whose every rendering is the mask."""
        return super().__new__(cls, MASK)


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
            problems.append(
                f'{where}.{key}: {{"env": ...}} is only for secret fields; write the value inline'
            )
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
