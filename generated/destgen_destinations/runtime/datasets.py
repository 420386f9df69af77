"""Rules of the dataset-export workflow that no connection spec states, kept in one place.

Adobe's dataset export page: "Exports to JSON files are supported in a compressed mode only",
while its own examples send JSON with NONE. The targetSpec allows both; this rule does not.
"""

from __future__ import annotations

from typing import Self

from pydantic import model_validator

from destgen_destinations.runtime.spec_model import SpecModel


class DatasetTargetModel(SpecModel):
    """Base of every destination's ``DatasetTargetParams``: the spec's rules plus this one."""

    @model_validator(mode="after")
    def _json_is_compressed(self) -> Self:
        file_type = getattr(self, "dataset_file_type", None)
        compression = getattr(self, "compression", None)
        if file_type == "JSON" and compression != "GZIP":
            raise ValueError(
                "datasetFileType JSON needs compression GZIP: Adobe exports JSON datasets "
                "compressed only (a rule of the dataset export page, not of the connection spec)"
            )
        return self
