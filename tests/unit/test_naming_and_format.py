"""Naming and import-sorting helpers: readable, stable names; ruff-compatible import blocks."""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path

import pytest
from destgen_runtime.schema.naming import pascal, snake
from hypothesis import example, given, settings
from hypothesis import strategies as st

from destgen.format import format_source
from destgen.ir import DestinationIR
from tests.fuzz_depth import fuzz_examples


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
        (1e100, "1e100"),
        (-2.5e-7, "-2.5e-07"),
        (["a", 1, None], '["a", 1, None]'),
        ({"k": ["v"], "n": {}}, '{"k": ["v"], "n": {}}'),
        (("a",), '("a",)'),
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


@cache
def _irs(folder: Path) -> tuple[DestinationIR, ...]:
    """The IR of every spec of ``folder`` that generates (a refused spec is left out)."""
    from destgen.build_ir import build_ir
    from destgen.errors import GeneratorError
    from destgen.spec_folder import read_spec_folder

    irs = []
    for spec in read_spec_folder(folder).specs:
        with contextlib.suppress(GeneratorError):
            irs.append(build_ir(spec))
    return tuple(irs)


def _rendered_templates(folder: Path) -> dict[str, str]:
    """Every template's output for every spec of ``folder`` that generates, project files too."""
    from destgen.render import render_destination, render_project

    irs = list(_irs(folder))
    rendered = {
        f"{ir.slug}/{rel}": text for ir in irs for rel, text in render_destination(ir).items()
    }
    return rendered | {
        rel: text for rel, text in render_project(irs).items() if rel.endswith(".py")
    }


def test_rendered_templates_are_already_formatted() -> None:
    """Template output skips black (``format_rendered``) because the templates write black's
    layout: after isort, black hands every file of the cache's destinations (each workflow
    kind) back unchanged, and the shortcut is taken for each. A template edit that breaks
    either would put black back on every regeneration, or worse, write what black would not:
    it fails here.
    """
    from destgen.format import _in_black_layout, _sorted_imports
    from tests.conftest import ROOT

    rendered = _rendered_templates(ROOT / "specs_cache")
    # checks.py is rendered from the models (generate --check keeps these as a run writes them).
    library = ROOT / "generated" / "destgen_destinations"
    rendered |= {
        f"{path.parent.name}/checks.py": path.read_text(encoding="utf-8")
        for path in library.glob("*/checks.py")
    }
    assert {rel.split("/")[0] for rel in rendered} >= {"amazon_s3", "braze", "sftp"}
    assert "amazon_s3/checks.py" in rendered
    unformatted = [
        rel for rel, text in rendered.items() if format_source(text) != _sorted_imports(text)
    ]
    assert unformatted == []
    slow = [rel for rel, text in rendered.items() if not _in_black_layout(_sorted_imports(text))]
    assert slow == []


def test_rendered_templates_of_the_long_tail_read_as_black_writes_them() -> None:
    """The corpus's 44 real specs: whichever way each file goes (a spec's long enum list sends
    one to black), what comes out is black's layout, byte for byte.
    """
    from destgen.format import format_rendered
    from tests.conftest import ROOT

    rendered = _rendered_templates(ROOT / "tests" / "data" / "corpus_2020")
    assert len(rendered) > 100
    differing = [
        rel for rel, text in rendered.items() if format_rendered(text) != format_source(text)
    ]
    assert differing == []


_DOC = '"""Doc."""\n\n'
# What a spec can bring into template output that black would still change: each is sent to
# black, and the case shows black does change it (so the shortcut would have written it wrong).
BLACK_STILL_CHANGES = {
    "long-call": _DOC + "x = f(" + ", ".join(f"argument_{i}" for i in range(12)) + ")\n",
    "quote-escape": _DOC + "x = 'both \\' and \"'\n",
    "hex-escape": _DOC + 'x = "\\xAB"\n',
    "continuation": _DOC + "x = 1 + \\\n    2\n",
    "tab": _DOC + "x = [\n\t1,\n]\n",
    "trailing-space": _DOC + "x = 1 \n",
    "wide-characters": _DOC + "x = f(" + ", ".join(['"\u6f22\u5b57\u6f22\u5b57"'] * 10) + ")\n",
    # 101 columns with its closing quotes, which black moves onto a line of their own.
    "overflowing-closing-quotes": _DOC
    + '\ndef f() -> None:\n    """Doc.\n\n    '
    + "word " * 18
    + 'word"""\n',
}


@pytest.mark.parametrize("case", sorted(BLACK_STILL_CHANGES))
def test_what_black_would_still_change_is_left_to_black(case: str) -> None:
    from destgen.format import _in_black_layout, _sorted_imports, format_rendered

    source = BLACK_STILL_CHANGES[case]
    assert format_source(source) != _sorted_imports(source)  # black does change it
    assert not _in_black_layout(_sorted_imports(source))
    assert format_rendered(source) == format_source(source)


# Lines black cannot split nor join, so it leaves them however long (and so may the shortcut).
BLACK_LEAVES = {
    "comment": _DOC + "# " + "word " * 30 + "end\nx = 1\n",
    "docstring": _DOC + '\ndef f() -> None:\n    """Doc.\n\n    ' + "word " * 30 + 'end\n    """\n',
    "one-line-docstring": _DOC + '\ndef f() -> None:\n    """' + "word " * 30 + 'end."""\n',
    "lone-string": _DOC + 'raise ValueError(\n    "' + "word " * 30 + '"\n)\n',
    "keyword-string": _DOC + 'x = f(\n    pattern="' + "a" * 120 + '",\n    flag=True,\n)\n',
    "escaped-backslash": _DOC + 'x = "^\\\\d+$"\n',
    "long-module": _DOC + "from " + "a." * 50 + "b import (\n    c,\n)\n\nx = c\n",
}


@pytest.mark.parametrize("case", sorted(BLACK_LEAVES))
def test_what_black_leaves_skips_black(case: str) -> None:
    from destgen.format import _in_black_layout, _sorted_imports, format_rendered

    source = BLACK_LEAVES[case]
    assert _in_black_layout(_sorted_imports(source))
    assert format_rendered(source) == format_source(source)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=fuzz_examples(200))
@given(prose=st.text(max_size=150), value=st.text(max_size=150), default=JSON_VALUES)
@example(prose="", value='"0', default=None)  # found by make fuzz: black pads a leading quote
def test_spec_text_in_a_template_reads_as_black_writes_it(
    prose: str, value: str, default: object
) -> None:
    """Any text or JSON value a spec could hold, through the filters templates put it in (a
    docstring, a literal, a comment), comes out as black writes it, whichever way it goes.
    """
    from destgen.format import format_rendered
    from destgen.literal import source_literal
    from destgen.render import comment_text, docstring_text

    source = (
        f'"""{docstring_text(prose)}"""\n\n# {comment_text(value)}\n\n\n'
        f'def f() -> str:\n    """{docstring_text(value)}"""\n'
        f"    return {source_literal(value)}\n\n\nX = ({source_literal(prose)}, 1)\n"
        f"DEFAULT: object = {source_literal(default)}\n"
    )
    compile(source, "t.py", "exec")
    assert format_rendered(source) == format_source(source)


@pytest.mark.parametrize("folder", ["specs_cache", "tests/data/corpus_2020"])
def test_one_black_pass_settles_the_tools_models(folder: str) -> None:
    """Black's second pass changes nothing on datamodel-code-generator's models, so one pass
    (format_tool_output) writes what two would, for every schema of the cache and the corpus.
    """
    from destgen.format import format_tool_output
    from destgen.models import generate_models
    from tests.conftest import ROOT

    models = {
        f"{ir.slug}/{rel}": text
        for ir in _irs(ROOT / folder)
        for rel, text in generate_models(ir, lambda unit: "# banner").items()
    }
    assert len(models) > 30
    differing = [
        rel for rel, text in models.items() if format_tool_output(text) != format_source(text)
    ]
    assert differing == []
