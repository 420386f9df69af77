"""OpenPGP encryption of a delivered file with the base connection's public key, as Experience
Platform encrypts exports for a destination with PGP/GPG set: PGPy, a well-kept pure-Python
OpenPGP library, so no gpg binary is needed. The user decrypts with their private key.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from typing import Any


def pgpy_module() -> Any:
    """PGPy, imported with its own deprecation warnings silenced (it still imports ``imghdr``
    and uses cryptography's CFB mode, both marked deprecated upstream, both still present).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import pgpy
    return pgpy


class KeyUnusable(ValueError):
    """The public key cannot encrypt (not base64, not an OpenPGP key, or no encryption key)."""


def encrypt(data: bytes, key: Any) -> bytes:
    """``data`` as a binary OpenPGP message to ``key`` (what ``load_key`` returned)."""
    pgpy = pgpy_module()
    uncompressed = pgpy.constants.CompressionAlgorithm.Uncompressed
    message = pgpy.PGPMessage.new(data, file=True, compression=uncompressed)
    with warnings.catch_warnings():
        # PGPy uses cryptography's CFB mode, which cryptography marks deprecated (still present).
        warnings.simplefilter("ignore")
        encrypted = key.encrypt(message)
    return bytes(encrypted)


def load_key(public_key_b64: str) -> Any:
    """The public key (base64 of an armored or binary key, as the activation file and the API
    carry it), or KeyUnusable saying why (never quoting the key).
    """
    pgpy = pgpy_module()

    try:
        raw = base64.b64decode(public_key_b64, validate=True)
    except (binascii.Error, ValueError):
        raise KeyUnusable("the public key is not base64") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            key, _ = pgpy.PGPKey.from_blob(raw)
    except Exception as exc:  # PGPy raises many types for a malformed key; all mean unusable
        raise KeyUnusable(f"not an OpenPGP public key ({type(exc).__name__})") from None
    if not key.is_public:
        raise KeyUnusable("a private key was given; give the public key")
    try:
        encrypt(b"", key)  # a signing-only key parses, and fails only here: find out now
    except Exception as exc:  # PGPy's errors for a key without an encryption-capable (sub)key
        raise KeyUnusable(
            f"the key cannot encrypt (a signing-only key?): {type(exc).__name__}"
        ) from None
    return key
