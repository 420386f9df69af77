"""schema: what every generated model stands on; no I/O, imports nothing else of the runtime.

- ``spec_model``: ``SpecModel``/``PlainSpecModel``, the base of every payload model (closed
  objects, camelCase on the wire, spec conditionals); ``compact``. ``spec_rules``: where its
  null and conditional checks run (on the field when they can, else on the model).
- ``field_rules``: ``SecretRule``, ``TextRule``: spec patterns and secrets pydantic alone would
  lose. ``mask``: ``MASK``, what a secret shows as (no import behind it).
- ``wire``: ``to_wire``/``to_masked``, the one place secrets are revealed; ``secret_errors``:
  validation errors that never quote a secret.
- ``validity``: ``is_valid``/``is_valid_json``, a model's verdict on a wire payload without
  building the model (its own core schema, objects checked as dicts). ``core_checks``: the same
  check written out as data (``Check``, a destination's ``checks.py``), run by pydantic-core
  without pydantic; the Python checks it names (base64, private keys, field conditionals).
- ``exports``: ``lazy_exports``, a generated destination package's names imported on first use.
- ``conditionals``: Adobe's ``conditional`` keyword; ``patterns``: linear-time ECMA-262 patterns.
- ``annotations``: what a field's type annotation holds (its models, None, literals, metadata).
- ``refs``: ``NonEmpty``, ``SpecRef``, ``source_connection``; ``json_path``: ``$.a[0].b`` paths
  and RFC 6901 pointers; ``strict_json``: RFC 8259 JSON (no NaN).
- ``dialect``: Adobe's dialect of JSON Schema in connection specs (``isRequired``, a misplaced
  ``required``, if/then) read as standard JSON Schema, for the generator and the emulator alike.
- ``errors``: the one exception tree (``DestgenError`` and every error below it), drawn.
- ``naming``: Python names for spec things and a destination's slug (``slug_of``), shared by the
  generator and the emulator.
- ``spec_form``: ``canonical_spec``/``spec_bytes``, a connection spec's one normal form and bytes.
"""
