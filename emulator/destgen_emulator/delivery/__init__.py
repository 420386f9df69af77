"""delivery: the files a run would write, rendered and delivered to real local storage. One
renderer serves the emulator's delivery (``--deliver-to DIR``) and ``destgen preview``.

- ``plan``: ``ExportPlan``, what one dataflow's run writes (format, options, audiences, columns),
  built from stored entities or from an activation file's payloads.
- ``names``: file and folder names from ``filenameTemplate`` and ``path`` macros, made safe.
- ``rows``: synthetic profiles, deterministic from a seed.
- ``formats``: CSV with the documented ``csvOptions``, JSON lines, Parquet; GZIP.
- ``encrypt``: OpenPGP encryption with the base connection's public key (PGPy).
- ``render``: the files of one run, in memory; ``deliver``: written under a folder, atomically.

Imports: the library's ``schema`` room and each other, never the emulator's HTTP modules.
"""
