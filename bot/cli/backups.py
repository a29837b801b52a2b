"""``digicoach backup DIR`` and ``digicoach restore DIR``: the database and the data folder, together."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.errors import CliError
from bot.masking import mask
from bot.settings import Settings


def make(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.backup import BackupError, backup

    folder = Path(args.folder)
    try:
        made = backup(settings.database_url, settings.data_dir, folder)
    except BackupError as error:
        raise CliError(str(error)) from None
    except (SQLAlchemyError, OSError) as error:
        raise CliError(f"cannot back up {settings.database_url} and {settings.data_dir}: {error}") from None
    print(
        mask(
            f"backed up {settings.database_url} (migration {made.migration}) and {made.data_files} file(s) "
            f"of {settings.data_dir} to {folder}"
        )
    )
    return 0


def put_back(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.backup import BackupError, restore

    folder = Path(args.folder)
    try:
        made = restore(folder, settings.database_url, settings.data_dir)
    except BackupError as error:
        raise CliError(str(error)) from None
    except (SQLAlchemyError, OSError) as error:
        raise CliError(
            f"cannot restore into {settings.database_url} and {settings.data_dir}: {error}"
        ) from None
    print(
        mask(
            f"restored the backup of {made.made_at} (digicoach {made.digicoach}, migration {made.migration}) "
            f"into {settings.database_url} and {settings.data_dir}; start the coach there "
            "('digicoach doctor' checks it first)"
        )
    )
    return 0
