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


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("plain", '"plain"'),
        ("it's", '"it\'s"'),  # repr's own choice: double quotes, no escape
        ('say "hi"', "'say \"hi\"'"),  # double quotes would need escapes: black keeps single
        ("both ' and \"", repr("both ' and \"")),
        ("back\\slash\n", '"back\\\\slash\\n"'),
        (None, "None"),
        (3, "3"),
        (True, "True"),
    ],
)
def test_literals_are_written_as_black_writes_them(value: object, literal: str) -> None:
    from destgen.literal import source_literal

    assert source_literal(value) == literal
    assert eval(literal) == value
    if "'" not in literal or '"' not in literal:
        assert format_source(f"x = {literal}\n") == f"x = {literal}\n"


@pytest.mark.parametrize(
    ("values", "literal"), [([], "()"), (["a"], '("a",)'), (["a", "b"], '("a", "b")')]
)
def test_tuples_are_written_as_black_writes_them(values: list[str], literal: str) -> None:
    from destgen.literal import source_tuple

    assert source_tuple(values) == literal
    assert format_source(f"x = {literal}\n") == f"x = {literal}\n"


def test_rendered_templates_are_already_formatted() -> None:
    """Black formats a second time whenever its first pass changes anything: templates that
    render text it already agrees with (every destination of the cache, each workflow kind)
    halve the formatter's share of generation. A template edit that breaks this slows every
    regeneration, so it fails here.
    """
    import isort

    from destgen.build_ir import build_ir
    from destgen.format import _future_below_comments, _isort_config
    from destgen.render import render_destination, render_project
    from destgen.spec_folder import read_spec_folder
    from tests.conftest import ROOT

    irs = [build_ir(spec) for spec in read_spec_folder(ROOT / "specs_cache").specs]
    rendered = {
        f"{ir.slug}/{rel}": text for ir in irs for rel, text in render_destination(ir).items()
    }
    rendered |= {rel: text for rel, text in render_project(irs).items() if rel.endswith(".py")}
    unformatted = [
        rel
        for rel, text in rendered.items()
        if format_source(text) != isort.code(_future_below_comments(text), config=_isort_config())
    ]
    assert unformatted == []
    assert {ir.workflows for ir in irs} >= {("audiences",), ("stream",)}
