"""Activation files made safe to send: secrets resolved from the environment, every payload
validated.

Nothing here sends a request; activation.py plans and sends, using what ``prepare`` returns.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from destgen_runtime.activation import workflows
from destgen_runtime.activation.file import (
    ActivationError,
    ActivationFile,
    Placeholder,
    destination_package,
    resolve_secrets,
)
from destgen_runtime.activation.problems import message, phrased, unknown_key
from destgen_runtime.activation.workflows import Workflow
from destgen_runtime.payloads.audiences import AnyAudienceSelector
from destgen_runtime.payloads.datasets import (
    DataLakeSourceConnection,
    DatasetSchedule,
    data_lake_source_connection,
    dataset_schedule,
)
from destgen_runtime.payloads.destination import DestinationPackage
from destgen_runtime.payloads.mapping import Mapping
from destgen_runtime.payloads.streaming import (
    ProfileSelector,
    profile_selector,
)
from destgen_runtime.schema.json_path import json_path


@dataclass(frozen=True)
class Payloads:
    """Everything validated up front: no request is sent until the whole file is known good."""

    file: ActivationFile
    base: BaseModel
    target_params: dict[str, Any]
    audiences: list[AnyAudienceSelector]
    mapping_rows: list[Any]
    package: DestinationPackage = field(repr=False)
    # The kind of dataflow (audiences to files, datasets to files, audiences to a stream).
    workflow: Workflow = field(repr=False)
    datasets: DatasetPayloads | None = None  # set for workflow datasets only
    # Streaming destinations: the attributes and identities sent (their mappings, as selectors).
    profile_selectors: list[ProfileSelector] = field(default_factory=list)
    # The audience flow spec, when the spec came without one and the service was asked (engine).
    found_flow_spec: str | None = None
    # The secret variables that were unset when the file was read with placeholders: its base
    # connection can be planned and adopted, never created or re-credentialed (reviewed.py).
    unset: tuple[str, ...] = ()

    @property
    def flow_spec(self) -> str | None:
        """The flow spec of this file's workflow, None while it is unknown (not looked up yet)."""
        spec = self.package.spec
        if self.datasets:
            return spec.DATASET_FLOW_SPEC_ID
        return spec.AUDIENCE_FLOW_SPEC_ID or self.found_flow_spec

    def flow_identity(self) -> dict[str, Any]:
        """What finds this file's dataflow: its name and, when known, its workflow's flow spec."""
        found: dict[str, Any] = {"name": self.file.dataflow.name}
        return found | ({"flowSpec": {"id": self.flow_spec}} if self.flow_spec else {})


@dataclass(frozen=True)
class DatasetPayloads:
    """A dataset export's own parts: its Data Lake source connection and its schedule."""

    source: DataLakeSourceConnection
    schedule: DatasetSchedule


def parse_activation_file(data: Any) -> ActivationFile:
    """``data`` (a parsed YAML or JSON document) as an ActivationFile; ActivationError otherwise,
    each problem phrased as what to do (problems.py).
    """
    try:
        return ActivationFile.model_validate(data)
    except PydanticValidationError as exc:
        raise ActivationError(phrased(ActivationFile, data, exc)) from None


def prepare(file: ActivationFile, *, placeholders: bool = False) -> Payloads:
    """Resolve secrets from the environment and validate every payload; raises ActivationError
    with every problem of the file at once (base, target, audiences, mappings).

    ``placeholders`` (dry runs): unset variables become ``***`` and their fields are not checked.
    What differs by kind of workflow (its checks, its models) is the workflow's (workflows/).
    """
    package = destination_package(file.destination)
    workflow = workflows.chosen(file.workflow, package.spec)
    if workflow is None:
        kinds = ", ".join(w.title for w in workflows.supported(package.spec)) or "none"
        raise ActivationError(
            [
                f"$.workflow: {package.spec.NAME} does not export {file.workflow} (it supports: "
                f"{kinds})"
            ]
        )
    # The kind's own checks first, then every payload's: one run reports every problem.
    found: list[str] = workflow.problems(file)
    base_wire = _collect(found, lambda: _base_wire(file, package, placeholders))
    base: Any = base_wire and _attempt(
        found, lambda: _validated(package.models.BaseConnection, base_wire, "$.baseConnection")
    )
    params = _attempt(
        found,
        lambda: _validated(
            workflow.target_params_model(package),
            file.target_connection.params,
            "$.targetConnection.params",
        ),
    )
    selector_model = workflow.audience_model()
    audiences = [
        # The file holds only the selector's value: paths are reported inside it.
        _attempt(
            found,
            lambda i=i, a=a: _validated(  # type: ignore[misc]
                selector_model,
                {"type": "PLATFORM_SEGMENT", "value": a},
                f"$.audiences[{i}]",
                "value",
            ),
        )
        for i, a in enumerate(file.audiences)
    ]
    rows: list[Any] = []
    selectors: list[ProfileSelector] = []
    if workflow.maps_as == "profile selectors":
        selectors = [
            profile_selector(m.source, m.destination, identity=m.source_type == "IDENTITY")
            for m in file.mappings
        ]
    else:
        rows = [
            _attempt(
                found,
                lambda i=i, m=m: _validated(  # type: ignore[misc]
                    Mapping, m.model_dump(by_alias=True), f"$.mappings[{i}]"
                ),
            )
            for i, m in enumerate(file.mappings)
        ]
    if found:
        raise ActivationError(found)
    return Payloads(
        file,
        base,
        params.model_dump(by_alias=True, exclude_none=True),
        audiences,
        rows,
        package,
        workflow,
        datasets=workflow.datasets(file),
        profile_selectors=selectors,
        unset=(
            tuple(
                name for name in file.base_connection.secret_variables() if not os.environ.get(name)
            )
            if placeholders
            else ()
        ),
    )


def dataset_payloads(file: ActivationFile) -> DatasetPayloads:
    """A dataset export's Data Lake source connection and schedule (workflows/dataset_files)."""
    config = file.dataflow.schedule
    assert config is not None  # the workflow's problems() refused a dataset file without one
    try:
        schedule = dataset_schedule(
            start=config.start,
            end=config.end,
            time_unit=config.time_unit,
            interval=config.interval,
            export_mode=config.export_mode,
            folder_name_template=config.folder_name_template,
        )
    except PydanticValidationError as exc:
        raise ActivationError(
            [f"$.dataflow.schedule: {message(e)}" for e in exc.errors(include_input=False)]
        ) from None
    source = data_lake_source_connection(
        name=file.source_name, datasets={d.id: d.name for d in file.datasets}
    )
    return DatasetPayloads(source, schedule)


def _base_wire(file: ActivationFile, package: Any, placeholders: bool) -> dict[str, Any]:
    config = file.base_connection
    problems: list[str] = []
    wire: dict[str, Any] = {"name": config.name}
    if config.description:
        wire["description"] = config.description
    names = package.spec.AUTH_SPEC_NAMES
    if (auth := config.auth) is not None and auth.spec_name not in names:
        choices = ", ".join(repr(n) for n in names) or "none: omit auth"
        problems.append(
            f"$.baseConnection.auth.specName: {auth.spec_name!r} is not an auth spec of "
            f"{package.spec.NAME}; use one of {choices}"
        )
    elif (auth := config.auth) is not None:
        secrets = frozenset(package.spec.SECRET_PARAMS.get(auth.spec_name, ()))
        params = _collect(
            problems,
            lambda: resolve_secrets(
                auth.params, secrets, "$.baseConnection.auth.params", placeholders=placeholders
            ),
        )
        wire["auth"] = {"specName": auth.spec_name, "params": params}
        wire["connectionSpec"] = {
            "id": package.spec.CONNECTION_SPEC_ID,
            "version": package.spec.CONNECTION_SPEC_VERSION,
        }
    if (encryption := config.encryption) is not None:
        key = _collect(
            problems,
            lambda: resolve_secrets(
                {"publicKey": encryption.public_key},
                frozenset(),
                "$.baseConnection.encryption",
                placeholders=placeholders,
            ),
        )
        wire["encryptionSpecs"] = {"params": key | {"encryptionAlgo": encryption.encryption_algo}}
    if problems:
        # Every unset variable at once, so one run tells the user everything to export.
        raise ActivationError(problems)
    return wire


def _collect(problems: list[str], resolve: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return resolve()
    except ActivationError as exc:
        problems.extend(exc.problems)
        return {}


def _attempt(problems: list[str], check: Callable[[], Any]) -> Any:
    """``check()``, or None with its problems added: one run reports every part's problems."""
    try:
        return check()
    except ActivationError as exc:
        problems.extend(exc.problems)
        return None


def _validated(model: type[BaseModel], data: Any, where: str, inner: str | None = None) -> Any:
    try:
        return model.model_validate(data, by_alias=True, by_name=False)
    except PydanticValidationError as exc:
        # A dry run's placeholders cannot satisfy a secret's pattern: only their own errors are
        # set aside, everything else in the payload is still checked.
        errors = [e for e in exc.errors(include_input=False) if not _at_placeholder(data, e["loc"])]
        if errors:
            raise ActivationError(
                [f"{_path(data, e['loc'], where, inner)}: {_said(model, e)}" for e in errors]
            ) from None
        return _Preview.model_validate(data)


def _said(model: type[BaseModel], error: Any) -> str:
    # pydantic's "Extra inputs are not permitted" does not say which keys are: we do.
    if error["type"] == "extra_forbidden" and isinstance(error["loc"][-1], str):
        return unknown_key(model, error["loc"])
    return message(error)


def _path(data: Any, loc: tuple[Any, ...], where: str, inner: str | None) -> str:
    if inner is not None and loc[:1] == (inner,):
        return json_path(data[inner], loc[1:], where)
    return json_path(data, loc, where)


class _Preview(BaseModel):
    """A dry run's payload that holds placeholders: printed (masked), never sent."""

    model_config = ConfigDict(extra="allow")


def _at_placeholder(data: Any, loc: tuple[Any, ...]) -> bool:
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        # Anything else is a union tag pydantic inserted: it names no key, so it is skipped.
    return isinstance(node, Placeholder)
