"""``python -m destgen``: the same entry point as the ``destgen`` console script."""

from destgen.cli import main

raise SystemExit(main())
