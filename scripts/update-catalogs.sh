#!/usr/bin/env bash
# After changing a message in the code: extract the template and merge it into
# every language's catalog. Translators then fill the new msgstr lines.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F locales/babel.cfg --no-location --sort-output \
    --project=digicoach --copyright-holder="digicoach developers" -o locales/messages.pot bot lessons
.venv/bin/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete
# English is the source language: its catalog says exactly what the code says.
.venv/bin/python - <<'PY'
from babel.messages.pofile import read_po, write_po
path = "locales/en/LC_MESSAGES/messages.po"
with open(path, "rb") as po:
    catalog = read_po(po, locale="en")
for message in catalog:
    if message.id:
        message.string = message.id if isinstance(message.id, str) else tuple(message.id)
with open(path, "wb") as po:
    write_po(po, catalog, sort_output=True)
PY
