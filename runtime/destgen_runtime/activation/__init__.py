"""activation: destinations as code: activation files, plan, apply, prune, export and drift.

- ``file``: ``ActivationFile`` (the YAML/JSON file, its JSON Schema) and ``ActivationError``;
  ``problems``: its schema errors phrased as what to do (``phrased``).
- ``payloads``: a file made into validated payloads (``prepare``, ``Payloads``);
  ``references``: the audiences and datasets it names, checked to exist (``missing_references``).
- ``engine``: ``activate``/``aactivate`` and ``ApplyOptions``: sends a workflow's steps;
  ``steps``, ``changes`` and ``datasets`` the steps' parts.
- ``workflows``: a kind of dataflow as one type (``Workflow``), one module per kind
  (``audience_files``, ``dataset_files``, ``audience_stream``) and the registry of kinds.
- ``planner``: ``Planner``, a plan without writes, as typed ``FieldChange`` data;
  ``reviewed``: ``Reviewed``, applying exactly the plan whose etags it holds;
  ``replay``: ``Recorded``/``Replayed``, the plan's reads answered again by ``apply --yes``.
- ``export``: files from what exists; ``drift``: the live spec against the generated one.

Imports anything below it (``schema``, ``api``, ``transport``, ``payloads``) and the generated
destination packages; nothing in the runtime imports it.
"""
