#!/usr/bin/env bash
# Install everything the tests need (scripts/setup.sh with requirements-dev.txt: packages and
# Debian's chromium) and run the whole suite.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k store`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh requirements-dev.txt
python3 -m pyflakes asn_dash pages tests app.py   # unused imports and names fail the suite
python3 -m pytest "$@"
