"""``python -m oracle_emulator``: the same as ``oracle-emulator``."""

from oracle_emulator.cli import main

raise SystemExit(main())
