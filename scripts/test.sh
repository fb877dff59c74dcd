#!/usr/bin/env bash
# Install everything the tests need and run the whole suite:
#   - Python packages from requirements-dev.txt
#   - Debian's chromium for the end-to-end browser tests (Playwright drives it)
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k store`.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "Installing Debian chromium for the browser tests …"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m pyflakes asn_dash pages tests app.py   # unused imports and names fail the suite
python3 -m pytest "$@"
