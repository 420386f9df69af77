"""What both differential tests use (the curated specs, and the corpus in its own process): a
generated params model by its reference name, instances to generate from, mutations, acceptance,
and the one agreement check both run.
"""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import BaseModel, ValidationError

from tests.fuzz_depth import fuzz_examples


def model_for(slug: str, which: str) -> type[BaseModel]:
    import importlib

    models = importlib.import_module(f"destgen_destinations.{slug}").models
    if which == "target":
        return models.TargetParams  # type: ignore[no-any-return]
    if which == "dataset-target":
        return models.DatasetTargetParams  # type: ignore[no-any-return]
    if which == "encryption":
        return models.EncryptionParams  # type: ignore[no-any-return]
    spec_name = which.removeprefix("auth:")
    for name in dir(models):
        cls = getattr(models, name)
        if isinstance(cls, type) and issubclass(cls, BaseModel) and name.endswith("Auth"):
            literal = cls.model_fields["spec_name"].annotation.__args__[0]  # type: ignore[union-attr]
            if literal == spec_name:
                return cls.model_fields["params"].annotation  # type: ignore[return-value]
    raise LookupError(which)


# Strings for look-around patterns (the bucket names) cannot be generated from the pattern, only
# filtered, which took over a minute per case. Valid instances are generated from this subset of
# every such pattern in the specs instead (lower-case, 3-20 characters, no "g" so never "goog...");
# validation, and every mutation, still use the full pattern.
LOOKAROUND_SUBSET = "^x[a-fh-z0-9]{2,19}$"


def generation_schema(schema: dict[str, Any]) -> dict[str, Any]:
    generated = copy.deepcopy(schema)
    for prop in generated.get("properties", {}).values():
        pattern = prop.get("pattern", "")
        if "(?=" in pattern or "(?!" in pattern:
            prop["pattern"] = LOOKAROUND_SUBSET
    return generated


# The one rule the models hold beyond the schema: a ``publicKey`` must not be an OpenPGP private
# key (armored, or starting with a secret-key packet, tags 5 and 7 in old or new packet format).
# Random base64 such as "l000" (0x96: old format, tag 5) starts like one, so the reference applies
# the same rule, spelled out here from RFC 4880 §4.2 rather than imported from the runtime.
_SECRET_KEY_FIRST_BYTES = {0xC5, 0xC7, *range(0x94, 0x98), *range(0x9C, 0xA0)}


def _holds_private_key(instance: Any) -> bool:
    key = instance.get("publicKey") if isinstance(instance, dict) else None
    if not isinstance(key, str):
        return False
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return False
    return b"PRIVATE KEY BLOCK-----" in raw[:200] or (
        bool(raw) and raw[0] in _SECRET_KEY_FIRST_BYTES
    )


def reference_accepts(validator: jsonschema.Draft7Validator, instance: Any) -> bool:
    """What the models must decide: the schema, plus the private-key rule above."""
    return validator.is_valid(instance) and not _holds_private_key(instance)


def model_accepts(model: type[BaseModel], instance: Any) -> bool:
    """The model's verdict on a wire payload: validated by wire names only."""
    try:
        model.model_validate(instance, by_alias=True, by_name=False)
    except ValidationError:
        return False
    return True


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=5,
)


def mutate(instance: dict[str, Any], data: st.DataObject, schema: dict[str, Any]) -> dict[str, Any]:
    mutated = copy.deepcopy(instance)
    keys = sorted(set(mutated) | set(schema.get("properties", {})))
    key = data.draw(st.sampled_from([*keys, "unknownKey"]))
    action = data.draw(st.sampled_from(["delete", "replace", "enum-neighbour"]))
    if action == "delete":
        mutated.pop(key, None)
    elif action == "replace":
        mutated[key] = data.draw(json_values)
    else:
        choices = schema.get("properties", {}).get(key, {}).get("enum") or [
            "CSV",
            "JSON",
            "GZIP",
            "",
            "x",
        ]
        mutated[key] = data.draw(st.sampled_from(choices))
    return mutated


def check_agreement(slug: str, which: str, schema: dict[str, Any], *, examples: int) -> None:
    """The model of ``slug``/``which`` and jsonschema on ``schema`` agree: generated instances are
    valid for both, and each mutation of one is judged alike by both.
    """
    model = model_for(slug, which)
    validator = jsonschema.Draft7Validator(schema)

    @settings(
        max_examples=fuzz_examples(examples),
    )
    @given(instance=from_schema(generation_schema(schema)), data=st.data())
    def agree(instance: dict[str, Any], data: st.DataObject) -> None:
        assert validator.is_valid(instance), instance  # the generation subset stays valid
        assert model_accepts(model, instance) == reference_accepts(
            validator, instance
        ), f"{slug} {which} disagrees on {instance}"
        mutated = mutate(instance, data, schema)
        assert model_accepts(model, mutated) == reference_accepts(
            validator, mutated
        ), f"{slug} {which} disagrees on {mutated}"

    agree()
