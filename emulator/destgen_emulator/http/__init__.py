"""http: the emulator as a server, the top room (it may import every room below it).

- ``app``: the Starlette application: routes, the gateway's header checks, body limits, the
  JSON error shapes; each route hands over to a service module.
- ``server``: ``EmulatorServer``, uvicorn on a loopback socket in a thread (with ``--s3`` and
  ``--sftp`` servers), the state file saved on stop; ``listening_socket``, ``check_loopback``.
- ``faults``: seeded fault injection (``FaultRule``, ``load_rules``): errors, delays, dropped
  connections on chosen routes.
- ``cli``: ``destgen emulator`` / ``destgen-emulator`` options and the foreground run.
"""
