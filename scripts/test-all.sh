#!/usr/bin/env bash
# Install everything the tests need into .venv, then run every check and the
# whole test suite. This is the README's second command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL's server binaries (Debian's package) for the tests that run on both databases.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
# espeak-ng and opusenc, which read cards aloud (the tests of "Read it aloud" fail without them under CI).
if ! command -v espeak-ng >/dev/null 2>&1 || ! command -v opusenc >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng opus-tools >/dev/null
fi
# systemd-analyze, which checks deploy/digicoach.service.
if ! command -v systemd-analyze >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[test]"
# The Telegram Bot API emulator for the end-to-end tests, exactly as locked.
npm ci --prefix tools/telegram-emulator --no-audit --no-fund --loglevel=error
# The Matrix tests start a real Synapse; it lives in its own venv so its pins
# never fight the project's.
python3 -m venv .venv-synapse
.venv-synapse/bin/pip install --quiet --disable-pip-version-check "matrix-synapse==1.163.2"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy --strict bot lessons storage
echo "== shipped lessons"
.venv/bin/digicoach lessons check --strict --languages nl,en,fr,de
echo "== tests"
# Two workers (CI has two cores); a test file stays on one worker, so its servers start once there.
.venv/bin/pytest -n 2 --dist loadfile "$@"
