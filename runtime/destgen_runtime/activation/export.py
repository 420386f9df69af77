"""Activation files from what exists: a live dataflow and the connections it uses, read back into
the file format ``apply`` takes, so that applying the export changes nothing.

Like the activation plan, this is a generator of read operations (no I/O here): any client, or a
test, drives it. Secrets cannot be read back (the service masks them); each becomes an
``{"env": NAME}`` reference named after the destination, the param and the base connection's own
name (:func:`secret_variable`): the same connection gets the same name on every export, whatever
order the service lists connections in, so a rotation can never send one connection's secret to
another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Generator
from typing import Any

from destgen_destinations import registry
from destgen_runtime.activation.changes import params_of
from destgen_runtime.api import operations as ops
from destgen_runtime.api.operations import Entity, Operation
from destgen_runtime.payloads.connection_patches import encryption_params
from destgen_runtime.schema.errors import (  # re-exported: its room's errors
    NotADestinationFlow as NotADestinationFlow,
)

Export = Generator[Operation[Any], Any, dict[str, Any]]
AUDIENCE_KEYS = ("id", "name", "filenameTemplate", "exportMode", "schedule")


def destination_of(flow: dict[str, Any]) -> tuple[str, str]:
    """The destination slug and workflow (``audiences`` or ``datasets``) a dataflow's flow spec
    names; NotADestinationFlow otherwise.
    """
    flow_spec = str((flow.get("flowSpec") or {}).get("id"))
    # A shared flow spec (legacy batch, streaming) is told apart by the target's connection spec.
    targets = (flow.get("inheritedAttributes") or {}).get("targetConnections") or [{}]
    connection_spec = str((targets[0].get("connectionSpec") or {}).get("id"))
    package = registry.by_flow_spec(flow_spec, connection_spec)
    if package is None:
        # A destination whose spec came without its flow spec: its target's spec names it.
        by_target = registry.by_connection_spec(connection_spec)
        if by_target is not None and by_target.spec.AUDIENCE_FLOW_SPEC_ID is None:
            return by_target.spec.SLUG, "audiences"
    if package is not None:
        spec = package.spec
        workflow = "audiences" if flow_spec == spec.AUDIENCE_FLOW_SPEC_ID else "datasets"
        return spec.SLUG, workflow
    raise NotADestinationFlow(
        f"dataflow {flow.get('id')} ({flow.get('name')!r}) has flow spec {flow_spec}, which is "
        "not one of the generated destinations'"
    )


# The base connection's name in a variable name: enough words to tell connections apart.
MAX_NAME_WORDS = 40


def secret_variable(slug: str, param: str, connection: str | None = None) -> str:
    """``AZURE_BLOB`` + ``connectionString`` -> ``AZURE_BLOB_CONNECTION_STRING``; a word the slug
    already ends with is not repeated (``AMAZON_S3`` + ``s3SecretKey`` -> ``AMAZON_S3_SECRET_KEY``).
    With the base connection's name: ``AMAZON_S3_SECRET_KEY_ACME_EXPORTS_TO_S3``.
    """
    prefix = slug.upper()
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", param).upper()
    last = prefix.rsplit("_", 1)[-1]
    if words.startswith(last + "_"):
        words = words[len(last) + 1 :]
    name = f"{prefix}_{words}"
    if connection is not None:
        named = re.sub(r"[^A-Za-z0-9]+", "_", connection).strip("_").upper()
        if len(named) > MAX_NAME_WORDS:
            # Cut, two names alike in their first words would meet: the whole name's digest
            # keeps them apart, the same for a connection whatever else the sandbox holds.
            digest = hashlib.sha256(connection.encode("utf-8", "surrogatepass")).hexdigest()
            named = f"{named[:MAX_NAME_WORDS].rstrip('_')}_{digest[:6].upper()}"
        name = f"{name}_{named or 'CONNECTION'}"
    return name


def export_flow(flow: Entity, variables: dict[str, str] | None = None) -> Export:
    """The activation document of ``flow``. ``variables`` maps (base connection id + param) to an
    environment variable name already handed out, so two base connections never share one.
    """
    slug, workflow = destination_of(flow.data)
    source: Entity = yield ops.get("sourceConnections", _first(flow.data, "sourceConnectionIds"))
    target: Entity = yield ops.get("targetConnections", _first(flow.data, "targetConnectionIds"))
    base: Entity = yield ops.get("connections", str(target.data.get("baseConnectionId")))
    params = dict(target.data.get("params") or {})
    manifest = params.pop("includeFileManifest", None)
    doc: dict[str, Any] = {"destination": slug}
    if workflow == "datasets":
        doc["workflow"] = "datasets"
    doc |= {
        "sourceConnectionName": source.data.get("name"),
        "baseConnection": _base(slug, base, variables if variables is not None else {}),
        "targetConnection": _named(target.data) | {"params": params},
        "dataflow": _named(flow.data) | {"enabled": flow.data.get("state") != "disabled"},
    }
    if workflow == "datasets":
        doc["dataflow"]["schedule"] = _schedule(flow.data.get("scheduleParams") or {})
        datasets = (source.data.get("params") or {}).get("datasets") or []
        doc["datasets"] = [{"id": d.get("dataSetId"), "name": d.get("name")} for d in datasets]
    else:
        doc |= yield from _audience_settings(flow)
    if manifest is not None:
        doc["includeFileManifest"] = manifest
    return doc


def _audience_settings(flow: Entity) -> Generator[Operation[Any], Any, dict[str, Any]]:
    params = params_of(flow)
    found: dict[str, Any] = {"audiences": _audiences(params)}
    streamed = (params.get("profileSelectors") or {}).get("selectors") or []
    if streamed:
        found["mappings"] = [_selector_row(s) for s in streamed if isinstance(s, dict)]
    mapping_id = (params.get("profileMapping") or {}).get("mappingId")
    if mapping_id:
        mapping: Entity = yield ops.get_mapping_set(str(mapping_id))
        found["mappings"] = [_mapping_row(m) for m in mapping.data.get("mappings") or []]
    return found | _field_settings(flow, params)


def _audiences(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Each exported audience's settings (id, name, template, schedule...) as a file holds them."""
    selectors = (params.get("segmentSelectors") or {}).get("selectors") or []
    return [
        {k: s["value"][k] for k in AUDIENCE_KEYS if s.get("value", {}).get(k) is not None}
        for s in selectors
    ]


def _field_settings(flow: Entity, params: dict[str, Any]) -> dict[str, Any]:
    """Mandatory fields, deduplication keys and marketing actions, where the dataflow has any."""
    found: dict[str, Any] = {}
    if params.get("mandatoryFields"):
        found["mandatoryFields"] = list(params["mandatoryFields"])
    if keys := _dedup(params.get("primaryFields") or []):
        found["deduplicationKeys"] = keys
    refs = (flow.data.get("policy") or {}).get("enforcementRefs") or []
    if refs:
        found["marketingActions"] = list(refs)
    return found


def _base(slug: str, base: Entity, variables: dict[str, str]) -> dict[str, Any]:
    spec = registry.destination(slug).spec
    found = _named(base.data)
    auth = base.data.get("auth") or {}
    if auth.get("specName"):
        secrets = spec.SECRET_PARAMS.get(auth["specName"], ())
        params: dict[str, Any] = {}
        for key, value in (auth.get("params") or {}).items():
            if key in secrets:
                named = str(base.data.get("name") or base.id)
                params[key] = {"env": _variable(variables, base.id, slug, key, named)}
            else:
                params[key] = value
        found["auth"] = {"specName": auth["specName"], "params": params}
    key_params = encryption_params(base.data) or {}
    if key_params.get("publicKey"):
        found["encryption"] = {
            "publicKey": key_params["publicKey"],
            "encryptionAlgo": key_params.get("encryptionAlgo", "PGPGPG"),
        }
    return found


def _variable(
    variables: dict[str, str], base_id: str, slug: str, param: str, connection: str
) -> str:
    key = f"{base_id}:{param}"
    if key not in variables:
        candidate = secret_variable(slug, param, connection)
        if candidate in variables.values():
            # Two names that read alike once upper-cased ("Acme-1", "acme 1"): the id tells them
            # apart, still from the entity alone.
            candidate += "_" + hashlib.sha256(base_id.encode()).hexdigest()[:6].upper()
        variables[key] = candidate
    return variables[key]


def _schedule(params: dict[str, Any]) -> dict[str, Any]:
    def iso(epoch: Any) -> str:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat().replace("+00:00", "Z")

    found: dict[str, Any] = {
        key: params[key] for key in ("exportMode", "timeUnit", "interval") if key in params
    }
    found["start"] = iso(params.get("startTime", 0))
    if params.get("endTime") is not None:
        found["end"] = iso(params["endTime"])
    template = params.get("folderNameTemplate", params.get("foldernameTemplate"))
    if template is not None:
        found["folderNameTemplate"] = template
    return found


def _mapping_row(mapping: dict[str, Any]) -> dict[str, Any]:
    row = {"source": mapping.get("source"), "destination": mapping.get("destination")}
    if mapping.get("sourceType", "ATTRIBUTE") != "ATTRIBUTE":
        row["sourceType"] = mapping["sourceType"]
    return row


def _selector_row(selector: dict[str, Any]) -> dict[str, Any]:
    """A streaming dataflow's profile selector as the mapping row it was made from."""
    value = selector.get("value") or {}
    mapping = value.get("mapping") or {}
    path = str(value.get("path"))
    if mapping.get("identity"):
        source = path.removeprefix("identityMap.")
        return {
            "source": source,
            "destination": mapping.get("destination"),
            "sourceType": "IDENTITY",
        }
    return {"source": path, "destination": mapping.get("destination", path)}


def _dedup(fields: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not fields:
        return None
    keys: dict[str, Any] = {}
    for field in fields:
        if field.get("fieldType") == "IDENTITY":
            keys["identityNamespace"] = field.get("identityNamespace")
        else:
            keys.setdefault("attributePaths", []).append(field.get("attributePath"))
    return keys


def _named(data: dict[str, Any]) -> dict[str, Any]:
    found = {"name": data.get("name")}
    if data.get("description"):
        found["description"] = data["description"]
    return found


def _first(data: dict[str, Any], key: str) -> str:
    ids = data.get(key) or [""]
    return str(ids[0])
