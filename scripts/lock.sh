#!/usr/bin/env bash
# Regenerate the locked dependency trees (every package, exact version, sha256 hashes) from the
# top-level pins:
#   requirements.txt     -> requirements.lock      (what the app needs)
#   requirements-dev.txt -> requirements-dev.lock  (the app's tree plus the test tools)
# The resolver (uv) is installed in a throwaway virtual environment, never into the project.
# The locks are universal (Linux, Windows, macOS; Python 3.11 and later), so Windows installs
# use the same files. Needs the network (PyPI).
#
# Kept versions stay as they are unless the top-level pins demand otherwise; pass --upgrade to
# move every unpinned (transitive) package to its newest fitting version.
set -euo pipefail
cd "$(dirname "$0")/.."

tool="$(mktemp -d)"
trap 'rm -rf "$tool"' EXIT
python3 -m venv "$tool/venv"
"$tool/venv/bin/python" -m pip install --quiet --disable-pip-version-check uv
EXTRA=("$@")
compile() {
    "$tool/venv/bin/uv" pip compile --quiet --universal --python-version 3.11 --generate-hashes \
        --no-config \
        --custom-compile-command "bash scripts/lock.sh" "${EXTRA[@]}" -o "$2" "$1"
}
compile requirements.txt requirements.lock
compile requirements-dev.txt requirements-dev.lock
echo "Wrote requirements.lock and requirements-dev.lock."
