"""Everything one emulator instance holds: spec catalog, entity store, auth policy, request log.

Owned by the app; handlers receive it, tests and the server reach it through EmulatorServer.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from destgen_emulator.service.auth import AuthPolicy
from destgen_emulator.service.catalog import Catalog, Destination
from destgen_emulator.service.store import Store

MASK = "********"
log = logging.getLogger("destgen.emulator")


if TYPE_CHECKING:  # the storage servers load their libraries only when asked for (--s3, --sftp)
    from destgen_emulator.storage.sftp_server import SftpServer
    from destgen_emulator.storage.storage import S3Mirror


@dataclass
class EmulatorState:
    """Everything a running emulator holds: catalogue, store, auth policy, runs."""

    catalog: Catalog
    store: Store = field(default_factory=Store)
    auth: AuthPolicy = field(default_factory=AuthPolicy)
    state_file: Path | None = None
    # --deliver-to: runs write the files they would deliver under this folder.
    deliver_to: Path | None = None
    deliver_rows: int = 100  # profiles per audience file (the run's own counts stay as metrics)
    seed: int = 0  # the emulator's --seed: delivered rows derive from it and the audience
    # --s3: an S3 server on loopback that receives the files of S3 destinations too.
    s3: S3Mirror | None = None
    # --sftp: an SFTP server on loopback over SFTP destinations' delivered files.
    sftp: SftpServer | None = None

    def destination_of_spec(self, spec_id: str) -> Destination | None:
        """The destination whose connection spec id is ``spec_id``, or None."""
        return self.catalog.destinations.get(spec_id)

    def masked_auth(self, destination: Destination, spec_name: str, params: Any) -> Any:
        """``params`` with every ``format: password`` field replaced: secrets are never stored."""
        if not isinstance(params, dict):
            return params
        specs = destination.spec.get("authSpec", [])
        spec: dict[str, Any] = next((a["spec"] for a in specs if a["name"] == spec_name), {})
        secret = {k for k, v in spec.get("properties", {}).items() if v.get("format") == "password"}
        return {k: (MASK if k in secret else copy.deepcopy(v)) for k, v in params.items()}
