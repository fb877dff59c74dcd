#!/usr/bin/env bash
# Install everything the tests need (scripts/setup.sh with requirements-dev.lock: the locked
# packages in .venv, and the Debian packages) and run the whole suite from .venv.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k store`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh requirements-dev.lock
.venv/bin/python -m pyflakes asn_dash pages tests app.py   # unused imports and names fail the suite
exec .venv/bin/python -m pytest "$@"
