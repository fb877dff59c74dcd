#!/usr/bin/env bash
# Install everything the tests need (scripts/setup.sh with requirements-dev.lock: the locked
# packages in .venv, and the Debian packages) and run the whole suite from .venv.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k store`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh requirements-dev.lock
.venv/bin/ruff check --quiet .   # lint (pyproject.toml [tool.ruff]): a finding fails the suite before any test runs
exec .venv/bin/python -m pytest "$@"
