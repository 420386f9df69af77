"""A workflow kind is one type: what a dataflow exports, and everything that differs with it.

destgen knows three kinds, one module each: audiences to files (audience_files.py), datasets to
files (dataset_files.py) and audiences to a stream (audience_stream.py). Each is a
:class:`Workflow`: which destinations support it, which activation file chooses it, the checks
its file gets beyond the schema, the models its payloads are validated with, whether its runs
write files, and the steps that activate it. Nothing else in the runtime asks which kind it has:
a new kind is a new module registered here (a test adds a fake one).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from destgen_runtime.activation.file import ActivationFile
    from destgen_runtime.activation.payloads import DatasetPayloads, Payloads
    from destgen_runtime.activation.steps import ApplyOptions, Plan
    from destgen_runtime.payloads.destination import DestinationPackage


class Workflow(ABC):
    """One kind of dataflow; subclasses are stateless, one instance each in the registry."""

    # How the kind is named: `destgen new --workflow NAME`, `destgen destinations`, reports.
    name: ClassVar[str]
    # What it exports, for people and `destgen destinations`: "audience files".
    title: ClassVar[str]
    # The activation file's ``workflow`` value that chooses it (with a destination that supports
    # it): two kinds may share one (audiences go to files or a stream, as the spec says).
    file_workflow: ClassVar[str]
    # Whether its runs write files (delivery, preview and status count them).
    writes_files: ClassVar[bool] = True
    # What the file's ``mappings`` become: a Data Prep mapping set, or a stream's profile
    # selectors (the attributes and identities it sends).
    maps_as: ClassVar[str] = "mapping set"

    @abstractmethod
    def supported_by(self, spec: Any) -> bool:
        """Whether a destination of this generated ``spec`` module can run this kind."""

    def problems(self, file: ActivationFile) -> list[str]:
        """What ``file`` sets that this kind has no use for, or lacks, as ``path: reason``."""
        return []

    def target_params_model(self, package: DestinationPackage) -> type[BaseModel]:
        """The model ``targetConnection.params`` is validated with: the spec's target params."""
        model: type[BaseModel] = package.models.TargetParams
        return model

    def target_connection_model(self, package: DestinationPackage) -> type[BaseModel]:
        """The model the target connection's create body is validated with: the spec's."""
        model: type[BaseModel] = package.models.TargetConnection
        return model

    @abstractmethod
    def audience_model(self) -> type[BaseModel]:
        """The model each entry of ``audiences`` (as a selector) is validated with."""

    def datasets(self, file: ActivationFile) -> DatasetPayloads | None:
        """The kind's dataset parts of the payloads (None: it exports no datasets)."""
        return None

    @abstractmethod
    def plan(self, p: Payloads, options: ApplyOptions) -> Plan:
        """The steps that activate ``p``, idempotent by name (engine.py sends them)."""


_REGISTERED: list[Workflow] = []
_BUILT_IN = ("audience_files", "audience_stream", "dataset_files")


def register(workflow: Workflow) -> Workflow:
    """Add a kind after the built-in ones; returns it, so its module can keep it."""
    _load_built_in()
    _REGISTERED.append(workflow)
    return workflow


def unregister(workflow: Workflow) -> None:
    """Remove a kind (a test's fake one)."""
    _REGISTERED.remove(workflow)


def registered() -> list[Workflow]:
    """Every kind, built-in ones first."""
    _load_built_in()
    return list(_REGISTERED)


def _load_built_in() -> None:
    # Loaded on first use: the kinds import the engine's steps, which import this module, so
    # loading them at import time would be a cycle.
    if not any(type(w).__module__.endswith(_BUILT_IN) for w in _REGISTERED):
        import importlib

        for module in _BUILT_IN:
            _REGISTERED.append(importlib.import_module(f"{__name__}.{module}").WORKFLOW)


def supported(spec: Any) -> list[Workflow]:
    """The kinds a destination of ``spec`` supports, in registry order."""
    return [w for w in registered() if w.supported_by(spec)]


def chosen(file_workflow: str, spec: Any) -> Workflow | None:
    """The kind an activation file's ``workflow`` chooses for a destination of ``spec``; None
    when the destination supports none by that name.
    """
    return next((w for w in supported(spec) if w.file_workflow == file_workflow), None)


def named(name: str) -> Workflow | None:
    """The kind called ``name`` (``audiences``, ``datasets``, ``stream``), if registered."""
    return next((w for w in registered() if w.name == name), None)


__all__ = ["Workflow", "chosen", "named", "register", "registered", "supported", "unregister"]
