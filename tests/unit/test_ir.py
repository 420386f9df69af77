"""The IR decides the shape of each destination's package; the templates only render it.

Each decision is checked on the IR and then on the generated module it shapes, so a template that
decides something on its own (a class list, an optional field) shows up as a mismatch here.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

from destgen.build_ir import build_ir
from destgen.ir import DestinationIR
from destgen.specs import load_specs
from tests.conftest import ROOT, SLUGS


def _irs() -> dict[str, DestinationIR]:
    return {spec.slug: build_ir(spec) for spec in load_specs(ROOT / "specs_cache")}


IRS = _irs()


def test_envelope_decisions_per_destination() -> None:
    s3, dlz, blob = IRS["amazon_s3"], IRS["data_landing_zone"], IRS["azure_blob"]
    assert (s3.auth_shape, blob.auth_shape, dlz.auth_shape) == ("union", "single", "none")
    assert s3.base_connection_spec_required
    assert not dlz.base_connection_spec_required
    assert "Encryption" in s3.envelope_classes
    assert "Encryption" not in dlz.envelope_classes
    assert dlz.builders == ("base_connection", "target_connection", "dataflow")
    assert s3.builders == (
        "base_connection_access_key",
        "base_connection_assumed_role",
        "encryption",
        "target_connection",
        "dataflow",
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_envelopes_define_exactly_the_ir_set(slug: str) -> None:
    ir = IRS[slug]
    module = importlib.import_module(f"destgen_destinations.{slug}.models.envelopes")
    defined = {
        name
        for name, value in vars(module).items()
        if inspect.isclass(value) and value.__module__ == module.__name__
    }
    assert defined == set(ir.envelope_classes)
    models = importlib.import_module(f"destgen_destinations.{slug}.models")
    assert tuple(models.__all__) == ir.model_names


@pytest.mark.parametrize("slug", SLUGS)
def test_generated_package_exports_what_the_ir_lists(slug: str) -> None:
    ir = IRS[slug]
    package = importlib.import_module(f"destgen_destinations.{slug}")
    assert tuple(package.__all__) == ir.package_exports
    builders = importlib.import_module(f"destgen_destinations.{slug}.builders")
    public = [
        name
        for name, value in vars(builders).items()
        if inspect.isfunction(value) and value.__module__ == builders.__name__
    ]
    assert [n for n in public if not n.startswith("_")] == list(ir.builders)
    envelopes = importlib.import_module(f"destgen_destinations.{slug}.models.envelopes")
    field = envelopes.BaseConnection.model_fields["connection_spec"]
    assert field.is_required() is ir.base_connection_spec_required
