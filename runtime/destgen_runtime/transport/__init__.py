"""transport: how an operation reaches the service and what comes back.

- ``client``: ``FlowServiceClient``, ``AsyncFlowServiceClient`` (one ``core``, ``Core``, between
  them: request building, response reading, retry decisions).
- ``credentials``: ``Identity``, ``identity_from_env``, OAuth server-to-server tokens.
- ``errors``: which error a response or a failure is (``error_from_response``,
  ``connect_failure``); the tree's classes (schema/errors.py) re-exported.
- ``retry`` (``RetryPolicy``), ``deadlines`` (``Deadlines``), ``deadline_transport``,
  ``rate_limit`` (a request budget shared by many workers).
- ``flows``: retries with reconciliation, If-Match updates, waiting for runs (sans-IO);
  ``adoption``: which existing entity a create may adopt; ``redact``: server text made safe;
  ``urls``: where credentials may be sent (https, or http on loopback only).

Imports: ``schema`` and ``api`` only.
"""
