"""api: every Flow Service, Data Prep, catalog and sandbox call as a typed, I/O-free value.

- ``operations``: ``Operation``, ``Created``, ``Entity``, ``Page``, ``Lookup``; one function per
  call (``create``, ``get``, ``list_``, ``patch``, ``runs``, ``eligible_datasets`` ...) and
  paging (``collect``, ``search``).
- ``constants``: base URLs, API prefixes, timeouts and retry caps; values only.

Imports: ``schema`` only. Nothing here sends a request: ``transport`` does.
"""
