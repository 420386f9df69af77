"""``ExportPlan``: what one run of an audience dataflow writes, from the entities the service
stores (the emulator's delivery) or from an activation file's validated payloads (``destgen
preview``). Both go through the same renderer, so a preview is the delivery's first rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from destgen_emulator.delivery.formats import FORMATS

# Target params that name where files go, outermost first; a nested object (Adobe Campaign's
# S3 or FTP settings) is read the same way.
LOCATION_KEYS = (
    "bucketName",
    "container",
    "storageAccountContainer",
    "folder",
    "remotePath",
    "folderPath",
    "path",
)


@dataclass(frozen=True)
class Audience:
    """One exported audience: its id, name and file-name template."""

    id: str
    name: str
    filename_template: str


@dataclass(frozen=True)
class ExportPlan:
    """Everything a run's files depend on; nothing secret (a public key is public)."""

    destination: str  # the destination's name, for %DESTINATION_NAME%
    location: tuple[str, ...]  # bucket, container, folder and path, macros unexpanded
    file_type: str  # CSV, JSON or PARQUET
    compression: str  # NONE or GZIP
    csv_options: dict[str, Any]
    columns: tuple[str, ...]
    audiences: tuple[Audience, ...]
    manifest: bool = False
    public_key: str | None = None  # base64, as the base connection carries it
    # Dataset exports: the datasets (as "audiences": id and name) and the folder template; each
    # dataset's files go to <location>/<template>/<dataset id>/exportTime=YYYYMMDDHHMM/.
    datasets: bool = False
    folder_template: str = ""
    instance: tuple[str, str] = ("", "preview")  # the dataflow's name and id
    tenant: tuple[str, str] = ("", "")  # the organization and sandbox


def chosen_params(params: dict[str, Any]) -> dict[str, Any]:
    """The params that apply: where a ``mode`` names one of several nested settings (Adobe
    Campaign's ``S3`` or ``FTP``), that object alone; the others are not where files go.
    """
    mode = params.get("mode")
    if not isinstance(mode, str) or not isinstance(params.get(mode), dict):
        return params
    return {k: v for k, v in params.items() if not isinstance(v, dict) or k in (mode, "csvOptions")}


# Legacy file formats (Adobe Campaign, Salesforce Marketing Cloud): CSV with another delimiter.
DELIMITED_FORMATS = {"TAB_DELIMITED": "\t"}


def csv_options_of(params: dict[str, Any]) -> dict[str, Any]:
    """The CSV options the params give: ``csvOptions``, with the delimiter a legacy ``format``
    names (``TAB_DELIMITED``: tab-separated), wherever the chosen settings hold it.
    """
    options = params.get("csvOptions")
    found = dict(options) if isinstance(options, dict) else {}
    for holder in (params, *(v for v in params.values() if isinstance(v, dict))):
        delimiter = DELIMITED_FORMATS.get(str(holder.get("format")).upper())
        if delimiter is not None:
            found.setdefault("delimiter", delimiter)
    return found


def location_of(params: dict[str, Any]) -> tuple[str, ...]:
    """The folder parts a target's params name, outermost first."""
    found: list[str] = []
    for key in LOCATION_KEYS:
        value = params.get(key)
        if isinstance(value, str) and value:
            found.append(value)
    for value in params.values():
        if isinstance(value, dict):
            found += location_of(value)
    return tuple(found)


def file_type_of(params: dict[str, Any]) -> str:
    """The file type the params choose (``format`` of a nested legacy object too); CSV else."""
    for key in ("fileType", "format"):
        value = params.get(key)
        if isinstance(value, str) and value.upper() in FORMATS:
            return value.upper()
    for value in params.values():
        if isinstance(value, dict) and (found := file_type_of(value)) != "CSV":
            return found
    return "CSV"


def plan_from(
    *,
    destination: str,
    target_params: dict[str, Any],
    selectors: list[dict[str, Any]],
    columns: tuple[str, ...],
    public_key: str | None,
    instance: tuple[str, str] = ("", "preview"),
) -> ExportPlan:
    """The plan of a dataflow whose target has ``target_params`` and whose audience selectors
    (wire form) are ``selectors``; ``columns``: the mapped destination fields; ``instance``: the
    dataflow's name and id (the manifest file names the id).
    """
    audiences = tuple(
        Audience(
            str(value.get("id")),
            str(value.get("name") or value.get("id")),
            str(value.get("filenameTemplate") or "%DESTINATION_NAME%_%SEGMENT_ID%"),
        )
        for s in selectors
        if isinstance(value := s.get("value"), dict)
    )
    chosen = chosen_params(target_params)
    return ExportPlan(
        destination=destination,
        location=location_of(chosen),
        file_type=file_type_of(chosen),
        compression=str(chosen.get("compression") or "NONE").upper(),
        csv_options=csv_options_of(chosen),
        columns=columns or ("id",),
        audiences=audiences,
        manifest=bool(target_params.get("includeFileManifest")),
        public_key=public_key,
        instance=instance,
    )


# A dataset export's columns: the dataset's rows as an XDM record flattens them.
DATASET_COLUMNS = ("_id", "timestamp", "person_name_firstName", "personalEmail_address")


def dataset_plan_from(
    *,
    destination: str,
    target_params: dict[str, Any],
    datasets: list[tuple[str, str]],
    folder_template: str,
    instance: tuple[str, str],
    tenant: tuple[str, str],
    public_key: str | None,
) -> ExportPlan:
    """The plan of a dataset dataflow: one file per dataset, in the dataset file type (JSON is
    always gzipped, as the dataset export page says; Parquet as the compression says).
    """
    file_type = str(target_params.get("datasetFileType") or "JSON").upper()
    if file_type not in FORMATS:
        file_type = "JSON"  # validation refuses any other; the renderer never meets one
    compression = str(target_params.get("compression") or "NONE").upper()
    return ExportPlan(
        destination=destination,
        location=location_of(target_params),
        file_type=file_type,
        compression="GZIP" if FORMATS[file_type].datasets_always_gzip else compression,
        csv_options={},
        columns=DATASET_COLUMNS,
        audiences=tuple(Audience(i, n, "part-00000") for i, n in datasets),
        public_key=public_key,
        datasets=True,
        folder_template=folder_template,
        instance=instance,
        tenant=tenant,
    )
