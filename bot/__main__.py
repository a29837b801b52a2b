"""``python -m bot`` is the same as the ``digicoach`` command."""

from bot.cli import main

raise SystemExit(main())
