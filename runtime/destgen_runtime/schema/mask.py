"""``MASK``: what a secret shows as wherever it is not sent (errors, logs, files, plans).

A constant of its own so that a reader of it (redaction, which the generator's changelog and
the command line load) imports nothing else: no pydantic for the sake of three characters.
"""

MASK = "***"
