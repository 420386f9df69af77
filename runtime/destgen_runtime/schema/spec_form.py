"""The one normalisation of a connection spec's form, pure (no I/O): the encryption array under
``encryptionSpecs``, and the byte form specs_cache/ and ``destgen fetch`` write (SPEC_SHA256
hashes exactly these bytes). The generator's loader, ``destgen diff`` and the drift check all use
it; it lives in the lowest room so the generator imports no HTTP client for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from destgen_runtime.schema.errors import SpecFormError

ENCRYPTION_KEY = "encryptionSpecs"
# The newest docs name the same array "encryption"; the API and the earlier docs "encryptionSpecs".
NEWEST_ENCRYPTION_KEY = "encryption"


def canonical_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec with its encryption array under ``encryptionSpecs``. Both keys is an error."""
    if NEWEST_ENCRYPTION_KEY in spec and ENCRYPTION_KEY in spec:
        raise SpecFormError("both 'encryption' and 'encryptionSpecs' are present")
    return {(ENCRYPTION_KEY if k == NEWEST_ENCRYPTION_KEY else k): v for k, v in spec.items()}


def spec_bytes(spec: Mapping[str, Any]) -> bytes:
    """The byte form specs_cache/ and ``destgen fetch`` use; SPEC_SHA256 hashes exactly this."""
    return (json.dumps(canonical_spec(spec), indent=2, ensure_ascii=False) + "\n").encode()
