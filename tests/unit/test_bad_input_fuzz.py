"""Bad input never crashes: random and mutated JSON into ``destgen validate`` and activation files,
random bytes into the spec loader. Exit 0, 1 or 2 with a message; never a traceback or a partial
write.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from destgen_runtime.activation.file import activation_file_schema
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from destgen.cli import main
from destgen.cli.validate import KINDS
from tests.conftest import DOCUMENTED, ROOT
from tests.fuzz_depth import fuzz_examples

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
DOCS = sorted(DOCUMENTED.glob("*.json"))
EXAMPLE = json.loads((ROOT / "examples" / "amazon_s3.json").read_text())
SETTINGS = settings(max_examples=fuzz_examples(60))


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
    return code, out.getvalue() + err.getvalue()


def _mutate(value: Any, data: st.DataObject) -> Any:
    if isinstance(value, dict) and value:
        key = data.draw(st.sampled_from(sorted(value)))
        action = data.draw(st.sampled_from(["drop", "replace", "recurse", "add"]))
        copy = dict(value)
        if action == "drop":
            del copy[key]
        elif action == "replace":
            copy[key] = data.draw(JSON)
        elif action == "add":
            copy[data.draw(st.text(max_size=10))] = data.draw(JSON)
        else:
            copy[key] = _mutate(copy[key], data)
        return copy
    if isinstance(value, list) and value:
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], _mutate(value[index], data), *value[index + 1 :]]
    return data.draw(JSON)


@SETTINGS
@given(data=st.data())
def test_fuzz_validate_answers_with_an_exit_code(data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(sorted(KINDS)))
    base = json.loads(data.draw(st.sampled_from(DOCS)).read_text())
    payload = (
        data.draw(st.one_of(JSON, st.just(base).map(lambda b: b)))
        if data.draw(st.booleans())
        else _mutate(base, data)
    )
    raw = data.draw(
        st.one_of(
            st.just(json.dumps(payload)), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payload.json"
        path.write_text(raw, encoding="utf-8")
        code, text = _run("validate", "--kind", kind, str(path))
    assert code in (0, 1, 2)
    assert "Traceback" not in text
    assert text.strip()


@SETTINGS
@given(data=st.data())
def test_fuzz_activation_files_never_crash_or_send(data: st.DataObject) -> None:
    doc = _mutate(EXAMPLE, data) if data.draw(st.booleans()) else data.draw(JSON)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "activation.json"
        path.write_text(json.dumps(doc))
        # Dry run: whatever the file, nothing can be sent; a valid file prints curl commands.
        code, text = _run("activate", "--dry-run", str(path))
    assert code in (0, 1, 2)
    assert "Traceback" not in text
    assert text.strip()


def _digest(folder: Path) -> str:
    return hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
    ).hexdigest()


@SETTINGS
@given(
    blob=st.binary(max_size=300), slug=st.sampled_from(["amazon_s3", "sftp", "data_landing_zone"])
)
def test_fuzz_spec_loader_random_bytes_exit_2_and_no_write(blob: bytes, slug: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        specs, out = Path(tmp) / "specs", Path(tmp) / "out"
        shutil.copytree(ROOT / "specs_cache", specs)
        out.mkdir()
        (out / "keep.txt").write_text("untouched")
        (specs / f"{slug}.json").write_bytes(blob)
        before = _digest(out)
        code, text = _run("generate", "--quiet", "--specs", str(specs), "--out", str(out))
        assert code == 2
        assert f"{slug}.json" in text
        assert "Traceback" not in text
        assert _digest(out) == before


EXAMPLE_FILES = sorted((ROOT / "examples").glob("*.json")) + sorted(
    (ROOT / "examples").glob("*.yaml")
)
# Every command that reads an activation file, as a user would run it on one being edited.
READERS = [("fmt", "--check"), ("fmt",), ("activate", "--dry-run"), ("preview", "--rows", "3")]


def _edit_lines(text: str, data: st.DataObject) -> str:
    """``text`` after one to three line edits a person makes: a line dropped, doubled, moved,
    cut short, or a random one typed in.
    """
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "double", "move", "cut", "type"]))
        if action == "drop" and len(lines) > 1:
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        elif action == "move":
            lines.insert(data.draw(st.integers(0, len(lines) - 1)), lines.pop(at))
        elif action == "cut":
            lines[at] = lines[at][: data.draw(st.integers(0, len(lines[at])))]
        else:
            lines.insert(at, data.draw(st.text(max_size=30)) + "\n")
    return "".join(lines)


@SETTINGS
@given(data=st.data())
def test_fuzz_edited_examples_through_every_reader(data: st.DataObject) -> None:
    """Each example with line edits, through every command that reads activation files: an exit
    code and a message, never a traceback; a file refused (or only checked) is left as it was.
    """
    example = data.draw(st.sampled_from(EXAMPLE_FILES))
    command = data.draw(st.sampled_from(READERS))
    text = _edit_lines(example.read_text(encoding="utf-8"), data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / example.name
        path.write_text(text, encoding="utf-8")
        before = path.read_bytes()
        code, output = _run(*command, str(path))
        after = path.read_bytes()
    assert code in (0, 1, 2, 3), output
    assert "Traceback" not in output
    if code != 0 or "--check" in command or command[0] != "fmt":
        assert after == before


def _schema_files() -> st.SearchStrategy[dict[str, Any]]:
    """Files as the published activation schema describes them (`destgen activation-schema`): a
    whole file drawn from it, or the S3 example with one key's value drawn from that key's schema
    (a file valid but for one key gets as far as the requests it becomes).
    """
    schema = activation_file_schema()
    whole = from_schema(schema)
    key_values = {
        key: from_schema({**inner, "$defs": schema["$defs"]})
        for key, inner in schema["properties"].items()
    }
    one_key = st.sampled_from(sorted(key_values)).flatmap(
        lambda key: key_values[key].map(lambda value: EXAMPLE | {key: value})
    )
    # Three in four are the example with one key drawn: left to itself, Hypothesis drew whole
    # files four times in five, and those mostly stop at the first check.
    return st.integers(0, 3).flatmap(lambda n: whole if n == 0 else one_key)


# Deferred: the schemas take seconds to canonicalise, which collecting the module (in every
# worker, and in test_validity, which imports from here) should not pay.
SCHEMA_FILES = st.deferred(_schema_files)


# Few in the suite: a file valid but for one key runs a whole dry run (about a second). `make
# fuzz` draws 240; at 300 it found the deduplication-key crash with that check taken out.
@settings(max_examples=fuzz_examples(12))
@given(doc=SCHEMA_FILES, command=st.sampled_from([("validate",), ("activate", "--dry-run")]))
def test_fuzz_files_the_published_schema_allows_never_crash(
    doc: dict[str, Any], command: tuple[str, ...]
) -> None:
    """Files drawn from the activation schema destgen publishes, through validate and activate
    --dry-run: an exit code and a message, never a traceback. The schema's own names reach
    corners random JSON does not (deduplication keys of both kinds, say, which crashed activate
    before the file checked them as the PATCH does).
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "activation.json"
        path.write_text(json.dumps(doc))
        code, text = _run(*command, str(path))
    assert code in (0, 1, 2), text
    assert "Traceback" not in text
