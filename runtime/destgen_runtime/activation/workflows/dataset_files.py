"""Datasets to files: the dataset export of the file-based destinations whose spec declares it
(export_datasets.md). Its steps are activation/datasets.py's; here is what tells it apart.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from destgen_runtime.activation.datasets import dataset_plan
from destgen_runtime.activation.file import AUDIENCE_ONLY, ActivationFile
from destgen_runtime.activation.payloads import DatasetPayloads, Payloads, dataset_payloads
from destgen_runtime.activation.steps import ApplyOptions, Plan
from destgen_runtime.activation.workflows import Workflow
from destgen_runtime.payloads.audiences import AudienceSelector
from destgen_runtime.payloads.destination import DestinationPackage, dataset_package


class DatasetFiles(Workflow):
    """Datasets exported as files on the dataflow's schedule."""

    name = "datasets"
    title = "dataset files"
    file_workflow = "datasets"

    def supported_by(self, spec: Any) -> bool:
        """The destinations whose spec declares a dataset flow spec (and do not stream)."""
        return spec.DATASET_FLOW_SPEC_ID is not None and not spec.STREAMING

    def problems(self, file: ActivationFile) -> list[str]:
        """Audience settings, no dataset or one listed twice, no schedule."""
        given = file.model_dump(by_alias=True, exclude_defaults=True)
        problems = [f"$.{k}: not part of workflow datasets" for k in AUDIENCE_ONLY if k in given]
        if not file.datasets:
            problems.append("$.datasets: workflow datasets needs at least one dataset")
        seen: set[str] = set()
        for i, dataset in enumerate(file.datasets):
            if dataset.id in seen:
                problems.append(f"$.datasets[{i}].id: {dataset.id} is listed twice")
            seen.add(dataset.id)
        if file.dataflow.schedule is None:
            problems.append("$.dataflow.schedule: required for workflow datasets")
        return problems

    def target_params_model(self, package: DestinationPackage) -> type[BaseModel]:
        """The spec's dataset target params (``datasetFileType``)."""
        model: type[BaseModel] = dataset_package(package).models.DatasetTargetParams
        return model

    def target_connection_model(self, package: DestinationPackage) -> type[BaseModel]:
        """The spec's dataset target connection."""
        model: type[BaseModel] = dataset_package(package).models.DatasetTargetConnection
        return model

    def audience_model(self) -> type[BaseModel]:
        """Unused: a dataset file lists no audiences (problems() refuses them)."""
        return AudienceSelector

    def datasets(self, file: ActivationFile) -> DatasetPayloads:
        """The Data Lake source connection of the file's datasets and the schedule."""
        return dataset_payloads(file)

    def plan(self, p: Payloads, options: ApplyOptions) -> Plan:
        """The dataset-export sequence."""
        assert p.datasets is not None  # prepare() builds them for this kind
        return (yield from dataset_plan(p, p.datasets, options))


WORKFLOW = DatasetFiles()
__all__ = ["WORKFLOW", "DatasetFiles"]
