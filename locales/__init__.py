"""Message catalogs (gettext .po files), one folder per language.

A package only so the catalogs ship inside the installed project.
"""

from pathlib import Path

LOCALES_DIR = Path(__file__).parent
DOMAIN = "messages"


def catalog_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
