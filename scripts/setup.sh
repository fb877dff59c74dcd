#!/usr/bin/env bash
# Install what asn-dash needs on a fresh machine, idempotently (silent when all is there):
#   - Python packages into the project's virtual environment .venv, exactly as locked with hashes
#     (default requirements.lock; scripts/test.sh passes requirements-dev.lock);
#   - Debian packages, each only when the command it provides is missing:
#       python3-venv              when `python3 -m venv` cannot create .venv (Debian's own Python)
#       chromium                  kaleido draws the exported chart images with it; browser tests
#       libreoffice-writer-nogui  `soffice --headless --convert-to pdf` for the PDF report
#       python3-uno               (with it) the PDF's contents list gets its page numbers updated
#       fonts-liberation          Liberation Sans: Arial's metrics, the report's font in LibreOffice
#                                 (the PDF embeds it) and what the deck's text is measured in
#       fonts-dejavu-core         Swedish letters and the symbols ✔ ▲ ✖ in images and the PDF
#       libatomic1                (tests) Playwright's bundled node driver needs libatomic.so.1
# Debian packages are installed with apt-get as root, through sudo when not root.
# PYTHON=python3.12 bash scripts/setup.sh picks another interpreter (3.11 or later) for .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK="${1:-requirements.lock}"
PYTHON="${PYTHON:-python3}"
VENV=.venv
DEJAVU=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
LIBERATION=/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf

say() { echo "setup: $*" >&2; }
die() { say "$*"; exit 1; }

apt_install() {
    # Debian packages, as root or through sudo; a clear message where neither is possible
    local run=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "needs the Debian packages '$*', but this user is not root and sudo is missing: install them as root (apt-get install $*) and run this again."
        run=(sudo)
    fi
    command -v apt-get >/dev/null || die "needs '$*' (Debian/Ubuntu package names), but apt-get is missing: install the equivalent and run this again."
    say "installing Debian packages: $* …"
    # another apt/dpkg run (unattended-upgrades, a second terminal) holds the lock: wait for it
    # with a message instead of failing on apt's raw lock error (fuser, where psmisc is there;
    # apt's own Lock::Timeout waits in any case)
    local polls=0 poll="${ASN_APT_POLL_SECONDS:-5}"
    while command -v fuser >/dev/null && "${run[@]}" fuser /var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1; do
        [ $polls -gt 0 ] || say "waiting for another apt/dpkg run to finish …"
        polls=$((polls + 1)); sleep "$poll"
        [ $polls -lt 360 ] || die "another apt/dpkg run has held the package lock for a long time; let it finish and run this again."
    done
    "${run[@]}" apt-get -o DPkg::Lock::Timeout=1800 update -qq
    "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=1800 install -y -qq \
        --no-install-recommends "$@" >/dev/null
}

# 1. A Python 3.11+ interpreter and a virtual environment it can make
if ! command -v "$PYTHON" >/dev/null; then
    [ "$PYTHON" = python3 ] || die "$PYTHON not found."
    apt_install python3 python3-venv
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "asn-dash needs Python 3.11 or later; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=python3.11 (or later)."
if ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
        # Debian's Python keeps venv/ensurepip in a separate package
        rm -rf "$VENV"
        apt_install python3-venv
        "$PYTHON" -m venv "$VENV"
    fi
fi

# 2. Debian packages for the commands the product runs
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui python3-uno)
[ -f "$DEJAVU" ] || missing+=(fonts-dejavu-core)
[ -f "$LIBERATION" ] || missing+=(fonts-liberation)
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# 3. Python packages, exactly as locked; skipped while the lock is unchanged since it was installed
stamp="$VENV/.installed-$(basename "$LOCK")"
digest="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
    say "installing Python packages from $LOCK into $VENV …"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes -r "$LOCK"
    # shared libraries that binaries inside those packages need and a fresh Debian lacks:
    # Playwright's bundled node driver (test lock) needs libatomic.so.1
    for driver in "$VENV"/lib/python3*/site-packages/playwright/driver/node; do
        if [ -x "$driver" ] && ldd "$driver" 2>/dev/null | grep -q 'libatomic.so.1 => not found'; then
            apt_install libatomic1
        fi
    done
    echo "$digest" >"$stamp"
fi
