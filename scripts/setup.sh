#!/usr/bin/env bash
# Install what asn-dash needs on a fresh machine:
#   - Python packages (default requirements.txt; scripts/test.sh passes requirements-dev.txt)
#   - Debian's chromium: kaleido draws the exported chart images with it, and the browser
#     tests drive it through Playwright
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "${1:-requirements.txt}"

if [ ! -x /usr/bin/chromium ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "Installing Debian chromium (chart images, browser tests) …"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
