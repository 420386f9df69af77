"""Naming and import-sorting helpers: readable, stable names; ruff-compatible import blocks."""

from __future__ import annotations

import pytest
from destgen_runtime.schema.naming import pascal, snake

from destgen.format import format_source


@pytest.mark.parametrize(
    ("text", "snake_name", "pascal_name"),
    [
        ("s3SecretKey", "s3_secret_key", "S3SecretKey"),
        ("Access Key", "access_key", "AccessKey"),
        ("SFTP with SSH Key", "sftp_with_ssh_key", "SftpWithSshKey"),
        ("File PGP/GPG Encryption", "file_pgp_gpg_encryption", "FilePgpGpgEncryption"),
        ("includeFileManifest", "include_file_manifest", "IncludeFileManifest"),
        ("class", "class_", "Class"),
        ("3rdParty", "_3rd_party", "N3rdParty"),
        ("2faCode", "_2fa_code", "N2faCode"),
    ],
)
def test_naming_is_readable(text: str, snake_name: str, pascal_name: str) -> None:
    assert snake(text) == snake_name
    assert pascal(text) == pascal_name


def test_format_groups_imports_like_ruff() -> None:
    source = (
        '"""Doc."""\n\nfrom __future__ import annotations\n\n# banner\n\n'
        "from destgen_destinations.sftp import spec\n"
        "from destgen_runtime.schema.spec_model import SpecModel\n"
        "from pydantic import Field, ConfigDict\n"
        "from typing import Literal, Annotated\n\nx: Annotated[int, Field()] = 1\n"
    )
    # The runtime is a dependency of the library, like pydantic: third-party to it.
    assert format_source(source) == (
        '"""Doc."""\n\n# banner\n\nfrom __future__ import annotations\n\n'
        "from typing import Annotated, Literal\n\n"
        "from destgen_runtime.schema.spec_model import SpecModel\n"
        "from pydantic import ConfigDict, Field\n\n"
        "from destgen_destinations.sftp import spec\n\n"
        "x: Annotated[int, Field()] = 1\n"
    )
