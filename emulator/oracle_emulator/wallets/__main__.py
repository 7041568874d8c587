"""``python -m oracle_emulator.wallets``: see :mod:`oracle_emulator.wallets.cli`."""

from oracle_emulator.wallets.cli import main

raise SystemExit(main())
