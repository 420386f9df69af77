"""service: what the emulated Flow Service means, with no HTTP in it: entities, their rules and
their runs. Imports the storage and delivery rooms below it, never ``http``.

- ``state``: ``EmulatorState``, everything one emulator holds; ``store``: the tenant-scoped
  entity store with etags; ``catalog``: the connection and flow specs served.
- ``flow_kinds``: each kind of dataflow (audiences, stream, datasets): its checks, its files.
- ``flowservice``: create, read, list, patch and delete of Flow Service entities; ``patching``:
  JSON Patch; ``listing``: filters, order and pages; ``validation`` and ``spec_validator``:
  bodies checked against the raw specs (Draft 7 on linear-time patterns).
- ``dataprep``: Data Prep schemas and mapping sets; ``sandboxes``; ``datasets`` and
  ``dataset_flows``: the catalog of datasets and the dataset-export workflow.
- ``runs``: time passing (``advance``): one run per schedule window; ``run_files``: a run's
  delivery through the delivery room.
- ``auth``: ``AuthPolicy``, the credentials the service accepts and the tokens it issued.
- ``errors``: ``ApiError`` and the documented error bodies (``flow``, ``gateway``).
"""
