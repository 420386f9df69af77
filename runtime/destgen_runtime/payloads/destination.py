"""The contract every generated destination package satisfies, as typed protocols: what the
runtime and the tool may use of a destination, checked by mypy against each package.

Protocols only; the generated ``destgen_destinations.registry`` finds packages and holds each one
to these (in a ``TYPE_CHECKING`` block), so a template change that breaks the contract fails
``mypy`` instead of an activation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast

from pydantic import BaseModel

from destgen_runtime.payloads.datasets import DatasetSchedule


class DestinationSpec(Protocol):
    """A destination's ``spec`` module: the identity of the connection spec it was made from.

    Read-only members (properties), so a module's constant satisfies them; names as the module
    spells them.
    """

    @property
    def SLUG(self) -> str:
        """The package's import name."""

    @property
    def NAME(self) -> str:
        """The spec's display name."""

    @property
    def CONNECTION_SPEC_ID(self) -> str:
        """The connection spec id."""

    @property
    def CONNECTION_SPEC_VERSION(self) -> str:
        """Its version."""

    @property
    def AUDIENCE_FLOW_SPEC_ID(self) -> str | None:
        """The audience export flow spec id; None when the spec came without one (a raw spec)."""

    @property
    def DATASET_FLOW_SPEC_ID(self) -> str | None:
        """The dataset workflow's flow spec, if known."""

    @property
    def PARTNER_SCHEMA(self) -> dict[str, object] | None:
        """The spec's partner schema (where a mapping set's output schema starts), if any."""

    @property
    def STREAMING(self) -> bool:
        """Whether it streams profiles rather than writing files."""

    @property
    def AUTH_SPEC_NAMES(self) -> tuple[str, ...]:
        """The auth spec names (empty: no credentials)."""

    @property
    def SECRET_PARAMS(self) -> Mapping[str, tuple[str, ...]]:
        """Auth spec name -> its secret params."""

    @property
    def ENCRYPTION_SPEC_NAME(self) -> str | None:
        """The encryption spec's name, if any."""

    @property
    def SPEC_FILE(self) -> str:
        """The spec file generated from."""

    @property
    def SPEC_SHA256(self) -> str:
        """That file's sha256."""


class DestinationModels(Protocol):
    """A destination's ``models`` module: the request bodies activation validates."""

    @property
    def BaseConnection(self) -> type[BaseModel]:
        """The base connection body."""

    @property
    def TargetParams(self) -> type[BaseModel]:
        """The audience target's params."""

    @property
    def TargetConnection(self) -> type[BaseModel]:
        """The audience target connection body."""


class DatasetModels(DestinationModels, Protocol):
    """The ``models`` module of a destination that also exports datasets."""

    @property
    def DatasetTargetParams(self) -> type[BaseModel]:
        """The dataset target's params."""

    @property
    def DatasetTargetConnection(self) -> type[BaseModel]:
        """The dataset target connection body."""


class DestinationPackage(Protocol):
    """A destination package: its builders, by the keywords the runtime passes."""

    def dataflow(
        self,
        *,
        name: str,
        source_connection_id: str,
        target_connection_id: str,
        description: str | None = None,
        flow_spec_id: str | None = None,
    ) -> BaseModel:
        """The audience dataflow body (``flow_spec_id``: one the service listed, where the spec
        came without its own).
        """

    @property
    def spec(self) -> DestinationSpec:
        """The spec module."""

    @property
    def models(self) -> DestinationModels:
        """The models module."""


class DatasetPackage(DestinationPackage, Protocol):
    """A destination package whose spec declares the dataset export workflow too."""

    def dataset_dataflow(
        self,
        *,
        name: str,
        source_connection_id: str,
        target_connection_id: str,
        schedule: DatasetSchedule,
        description: str | None = None,
    ) -> BaseModel:
        """The dataset dataflow body."""

    @property
    def models(self) -> DatasetModels:
        """The models module."""


def dataset_package(package: DestinationPackage) -> DatasetPackage:
    """``package`` as one that exports datasets; ValueError naming it when its spec declares no
    dataset workflow (most destinations beyond the six file-based ones).
    """
    if package.spec.DATASET_FLOW_SPEC_ID is None or not hasattr(package, "dataset_dataflow"):
        raise ValueError(
            f"{package.spec.NAME} exports audiences only: its connection spec declares no "
            "dataset export workflow"
        )
    return cast(DatasetPackage, package)
