"""payloads: the request bodies and rules every destination shares, checked offline.

- ``audiences``: ``AudienceSelector``, ``audience`` (schedules, file-name templates), and
  ``StreamingAudienceSelector`` (a streaming destination's audience alone).
- ``streaming``: ``ProfileSelector``, the attributes and identities a streaming
  destination receives; ``StreamData``, its target connection's ``data`` format.
- ``datasets``: the dataset-export workflow's payloads (``DatasetSchedule``,
  ``DatasetTargetModel``).
- ``mapping``: Data Prep ``mapping``/``mapping_set``; ``dataflow``: ``Dataflow`` and its transforms.
- ``patch_ops``: JSON Patch bodies for dataflows; ``connection_patches``: for connections.
- ``destination``: the contract every generated package satisfies (``DestinationPackage``,
  ``DestinationSpec``, ``DestinationModels``; ``DatasetPackage``, ``DatasetModels`` for those
  that export datasets too), checked by mypy in the generated registry.

Imports: ``schema`` and ``api`` only (never ``transport``: a payload is a value, not a call).
"""
