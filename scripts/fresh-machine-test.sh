#!/usr/bin/env bash
# Prove the README's set-up on fresh machines: run exactly the README's two commands in clean
# Debian 12 roots and report what happened and how long it took. Not part of the test suite
# (it takes long and needs the network: Debian packages and PyPI); run it by hand, as root:
#
#   bash scripts/fresh-machine-test.sh [debian12] [slim] [docker] [-- PYTEST-ARGS]
#
# Machines (default: all three):
#   debian12  Debian 12 minbase plus Debian's own python3 (no python3-venv, no pip), used by a
#             non-root user who has sudo, like a municipal server;
#   slim      like the python:3.11-slim image: root without sudo, no Debian python3, a
#             python.org-style Python 3.11 in /usr/local (this machine's pyenv 3.11 build, copied;
#             skipped when there is none), ca-certificates, tzdata, netbase;
#   docker    the same slim-like root, where the Dockerfile's steps run as a Docker build would
#             (scripts/dockerfile_steps.py): its RUN lines as root, then its CMD as its USER, until
#             its HEALTHCHECK passes and a page renders (no Docker engine is needed).
# For each: debootstrap a clean root in a temporary folder (the bare debootstrap result is cached
# in /var/tmp/asn-fresh-cache for a week), put a clean `git clone` of this checkout's HEAD
# with ../shared beside it, and inside chroot run
#   1. bash scripts/setup.sh && .venv/bin/python -m streamlit run app.py
#      started in the background, until /_stcore/health answers and a page renders
#      (scripts/render_probe.py: Översikt with its "Måluppfyllelse" grid, no exception); then a
#      chart image and a Word → PDF conversion (scripts/export_probe.py); then stopped;
#   2. bash scripts/setup.sh once more: it must print nothing;
#   3. bash scripts/test.sh [PYTEST-ARGS]   (the whole suite unless arguments are given).
# Logs land in /var/tmp/asn-fresh-logs/MACHINE-*.log; the root is deleted afterwards
# (KEEP_ROOT=1 keeps it). Everything runs in a private mount namespace, so the mounts of the
# roots vanish with the script. The script runs from a copy, so editing it meanwhile is safe.
set -euo pipefail

REPO="${ASN_FRESH_REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
SHARED="$(cd "$REPO/.." && pwd)/shared"
SUITE=bookworm
CACHE=/var/tmp/asn-fresh-cache
LOGS=/var/tmp/asn-fresh-logs
APP_COMMAND='bash scripts/setup.sh && .venv/bin/python -m streamlit run app.py'
TEST_COMMAND='bash scripts/test.sh'
# A machine that reaches PyPI through a TLS-inspecting proxy trusts that proxy's CA through pip's
# `cert` setting; the roots get the same bundle (and nothing else of this machine's pip set-up).
HOST_CA="${PIP_CERT:-$(sed -n 's/^cert *= *//p' /etc/pip.conf 2>/dev/null | head -1)}"
PYENV_311="${PYENV_311:-$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.11.* 2>/dev/null | sort -V | tail -1 || true)}"

say() { echo "[$(date +%H:%M:%S)] $*"; }

machines=()
pytest_args=()
one=""
while [ $# -gt 0 ]; do
    case "$1" in
        debian12|slim|docker) machines+=("$1") ;;
        --one) one="$2"; shift ;;  # internal: one machine, in its own shell so errors stop it
        --) shift; pytest_args=("$@"); break ;;
        *) echo "usage: $0 [debian12] [slim] [docker] [-- PYTEST-ARGS]" >&2; exit 2 ;;
    esac
    shift
done
[ ${#machines[@]} -gt 0 ] || machines=(debian12 slim docker)

[ "$(id -u)" -eq 0 ] || { echo "Run as root (debootstrap and chroot need it)." >&2; exit 1; }
if [ -z "${ASN_FRESH_NS:-}" ]; then
    # private mounts: nothing mounted here is seen outside, and all of it goes when we end
    mkdir -p "$LOGS"
    copy="$LOGS/.fresh-machine-test.$$.sh"
    cp "$0" "$copy"
    exec env ASN_FRESH_NS=1 ASN_FRESH_REPO="$REPO" unshare --mount --propagation private \
        bash "$copy" "${machines[@]}" -- "${pytest_args[@]}"
fi
[ -d "$SHARED" ] || { echo "$SHARED is missing (the project's shared folder beside the checkout)." >&2; exit 1; }
command -v debootstrap >/dev/null || { say "installing debootstrap"; apt-get update -qq; apt-get install -y -qq debootstrap >/dev/null; }
mkdir -p "$CACHE" "$LOGS"

base_tarball() {
    # the untouched debootstrap result, rebuilt when older than a week
    local tarball="$CACHE/$SUITE-minbase.tar"
    if [ -z "$(find "$tarball" -mtime -7 2>/dev/null)" ]; then
        local tmp
        tmp="$(mktemp -d /var/tmp/asn-debootstrap.XXXXXX)"
        say "debootstrap $SUITE (minbase) …" >&2
        local t0=$SECONDS
        debootstrap --variant=minbase "$SUITE" "$tmp" >"$LOGS/debootstrap.log" 2>&1
        tar -C "$tmp" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
        rm -rf --one-file-system "$tmp"
        say "debootstrap done in $((SECONDS - t0)) s" >&2
    fi
    echo "$tarball"
}

in_root() {
    # run a command in the root as a fresh login would: empty environment, C.UTF-8
    local root="$1" user="$2"; shift 2
    local home=/root ca=()
    [ "$user" = root ] || home="/home/$user"
    [ ! -f "$root/etc/ssl/host-ca.crt" ] || ca=(PIP_CERT=/etc/ssl/host-ca.crt)
    chroot --userspec="$user:$user" "$root" /usr/bin/env -i HOME="$home" USER="$user" LANG=C.UTF-8 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb "${ca[@]}" "$@"
}

prepare_root() {
    local machine="$1" root="$2" user="$3"
    tar -C "$root" -xf "$(base_tarball)"
    chmod 755 "$root"  # the tarball keeps its build folder's 0700
    # a Debian 12 install's usual sources: the release, its updates and security, same mirror
    local mirror
    mirror="$(awk '$1 == "deb" {print $2; exit}' "$root/etc/apt/sources.list")"
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s-security %s-security main\n' \
        "$mirror" "$SUITE" "$mirror" "$SUITE" "$mirror" "$SUITE" >"$root/etc/apt/sources.list"
    cp /etc/resolv.conf "$root/etc/resolv.conf"
    echo "127.0.1.1 $(hostname)" >>"$root/etc/hosts"
    if [ -n "$HOST_CA" ] && [ -f "$HOST_CA" ]; then mkdir -p "$root/etc/ssl"; cp "$HOST_CA" "$root/etc/ssl/host-ca.crt"; fi
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount -t tmpfs -o mode=1777 shm "$root/dev/shm" 2>/dev/null || { mkdir -p "$root/dev/shm"; mount -t tmpfs -o mode=1777 shm "$root/dev/shm"; }
    mkdir -p "$root/dev/pts" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
    for dev in null zero random urandom tty full; do [ -e "$root/dev/$dev" ] || { touch "$root/dev/$dev"; mount --bind "/dev/$dev" "$root/dev/$dev"; }; done
    in_root "$root" root apt-get update -qq
    case "$machine" in
        debian12)
            in_root "$root" root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 sudo >/dev/null
            in_root "$root" root useradd --create-home --shell /bin/bash "$user"
            echo "$user ALL=(ALL) NOPASSWD:ALL" >"$root/etc/sudoers.d/$user"
            chmod 0440 "$root/etc/sudoers.d/$user"
            ;;
        slim|docker)
            # what the python:3.11-slim image adds to Debian: the runtime libraries of a
            # source-built Python in /usr/local, certificates, time zones, netbase
            in_root "$root" root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                ca-certificates netbase tzdata libssl3 libffi8 libsqlite3-0 libbz2-1.0 liblzma5 libreadline8 \
                libncursesw6 libuuid1 zlib1g libexpat1 libgdbm6 >/dev/null
            tar -C "$PYENV_311" --exclude='lib/python3.*/site-packages/*' --exclude='__pycache__' \
                --exclude='lib/python3.*/test' -cf - bin/python3.11 lib include \
                | tar -C "$root/usr/local" -xf -
            ln -sf python3.11 "$root/usr/local/bin/python3"
            ln -sf python3 "$root/usr/local/bin/python"
            in_root "$root" root ldconfig
            in_root "$root" root python3 -m ensurepip --default-pip >/dev/null
            ;;
    esac
    if [ "$machine" = docker ]; then
        git clone --quiet "$REPO" "$root/build-context"   # what `docker build .` is given
        return
    fi
    local home="/root"
    [ "$user" = root ] || home="/home/$user"
    git clone --quiet "$REPO" "$root$home/asn-dash"
    cp -a "$SHARED" "$root$home/shared"
    [ "$user" = root ] || in_root "$root" root chown -R "$user:$user" "$home"
}

serve() {
    # start COMMAND in the root as USER (extra NAME=value settings first), wait until HEALTH
    # (a command in the root) passes, render a page, make the exports; set $served to what happened
    local user="$1" dir="$2" command="$3" health="$4" log="$5"; shift 5
    local t0=$SECONDS app status=0
    in_root "$root" "$user" env "$@" setsid bash -c "cd $dir && $command" >"$log" 2>&1 &
    app=$!
    until in_root "$root" "$user" env "$@" bash -c "$health" >/dev/null 2>&1; do
        if ! kill -0 "$app" 2>/dev/null; then status=1; break; fi
        sleep 2
    done
    if [ $status -ne 0 ]; then
        served="FAILED after $((SECONDS - t0)) s: the server stopped (see $log)"
    else
        local healthy=$((SECONDS - t0)) render exports
        if render="$(in_root "$root" "$user" env "$@" bash -c "cd $dir && .venv/bin/python scripts/render_probe.py $port Måluppfyllelse" 2>&1)"; then
            served="OK: healthy after $healthy s, first page after $((SECONDS - t0)) s (${render##*$'\n'})"
        else
            status=1; served="FAILED: healthy after $healthy s but no page: ${render##*$'\n'}"
        fi
        if exports="$(in_root "$root" "$user" env "$@" bash -c "cd $dir && .venv/bin/python scripts/export_probe.py" 2>&1)"; then
            served+="; ${exports##*$'\n'}"
        else
            status=1; served+="; exports FAILED: ${exports##*$'\n'}"
        fi
    fi
    stop_root_processes "$root"
    wait "$app" 2>/dev/null || true
    return $status
}

run_docker() {
    # the Dockerfile's steps, in order, as `docker build` and `docker run` would take them
    local envs=() workdir=/ user=root command="" health="" kind arg t0=$SECONDS
    while IFS=$'\t' read -r kind arg; do
        case "$kind" in
            ENV) envs+=("$arg") ;;
            WORKDIR) workdir="$arg"; in_root "$root" root mkdir -p "$workdir" ;;
            COPY)
                read -r src dst <<<"$arg"
                in_root "$root" root bash -c "cd $workdir && mkdir -p \"\$(dirname $dst)\" && cp -a /build-context/$src $dst" ;;
            RUN)
                say "docker: RUN $arg"
                in_root "$root" root env "${envs[@]}" bash -c "cd $workdir && $arg" >>"$log-build.log" 2>&1 ;;
            USER) user="$arg" ;;
            HEALTHCHECK) health="${arg//8501/$port}" ;;   # the container's 8501 is a free port here
            CMD) command="${arg//8501/$port}" ;;
        esac
    done < <(python3 "$root/build-context/scripts/dockerfile_steps.py" "$root/build-context/Dockerfile")
    say "docker: built in $((SECONDS - t0)) s; CMD as user $user: $command"
    if [ -z "$command" ] || [ -z "$health" ] || [ "$user" = root ]; then
        say "docker: the Dockerfile needs a CMD, a HEALTHCHECK and a USER other than root"; return 1
    fi
    local served status=0
    # ASN_DEMO=1 as compose.yaml's commented line sets it: the image's own store (/data) starts
    # closed until its first account, and the probe renders the demo data
    serve "$user" "$workdir" "exec $command" "$health" "$log-app.log" "${envs[@]}" ASN_DEMO=1 || status=$?
    say "docker: $served"
    in_root "$root" root test -f /data/asn.duckdb && say "docker: the store is on the volume: $(in_root "$root" root ls -l /data | tail -n +2 | tr -s ' ' | cut -d' ' -f3,5,9 | tr '\n' ' ')"
    return $status
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_root_processes() {
    # every process whose root is this chroot was started by this script
    local root="$1" pid
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        if [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ]; then kill -9 "$pid" 2>/dev/null || true; fi
    done
}

remove_root() {
    local machine="$1" root="$2" dev
    case "$root" in /var/tmp/asn-fresh-root.?*) ;; *) return 0 ;; esac
    stop_root_processes "$root"
    umount -R "$root/sys" "$root/proc" "$root/dev/pts" "$root/dev/shm" 2>/dev/null || true
    for dev in null zero random urandom tty full; do umount "$root/dev/$dev" 2>/dev/null || true; done
    if [ -n "${KEEP_ROOT:-}" ]; then say "$machine: root kept at $root"; else rm -rf --one-file-system "$root"; fi
}

run_machine() {
    local machine="$1" user=root
    [ "$machine" = debian12 ] && user=anna
    if [ "$machine" = slim ] && [ ! -x "$PYENV_311/bin/python3.11" ]; then
        say "slim: skipped (no Python 3.11 build to copy; set PYENV_311)"
        return 0
    fi
    # root, log: global, for the EXIT trap (each machine runs in its own shell)
    local home=/root
    [ "$user" = root ] || home="/home/$user"
    root="$(mktemp -d /var/tmp/asn-fresh-root.XXXXXX)"
    chmod 755 "$root"
    log="$LOGS/$machine"
    local t0=$SECONDS
    # on any exit: stop what runs in the root, unmount, delete it; say so when this machine failed
    MACHINE="$machine"  # global, for the EXIT trap
    trap 'rc=$?; [ $rc -eq 0 ] || say "$MACHINE: FAILED (exit $rc; logs: $log-*.log)"; remove_root "$MACHINE" "$root"' EXIT
    prepare_root "$machine" "$root" "$user" >"$log-prepare.log" 2>&1
    say "$machine: testing $(git -C "$REPO" log -1 --format='%h %s')"
    say "$machine: clean root ready in $((SECONDS - t0)) s ($(in_root "$root" root sh -c '. /etc/os-release; echo "$PRETTY_NAME"'), $(in_root "$root" root python3 -V), user $user)"

    if [ "$machine" = docker ]; then
        port="$(free_port)"
        run_docker
        return
    fi

    # 1. the app command, as the README says, started until it serves a page
    local status=0 served
    port="$(free_port)"
    serve "$user" "~/asn-dash" "$APP_COMMAND" "python3 -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=4)\"" "$log-app.log" \
        STREAMLIT_SERVER_PORT="$port" || status=$?
    say "$machine: app command $served"
    # quiet the second time: setup.sh prints nothing when everything is there
    local again again_rc=0
    again="$(in_root "$root" "$user" bash -c 'cd ~/asn-dash && bash scripts/setup.sh 2>&1')" || again_rc=$?
    if [ $again_rc -ne 0 ]; then say "$machine: setup.sh again: FAILED (exit $again_rc): $again"
    elif [ -z "$again" ]; then say "$machine: setup.sh again: silent, nothing to do"
    else say "$machine: setup.sh again printed: $again"; fi

    # 2. the test command, as the README says
    t0=$SECONDS
    local tests=0 command="$TEST_COMMAND"
    [ ${#pytest_args[@]} -eq 0 ] || command+=" $(printf '%q ' "${pytest_args[@]}")"
    in_root "$root" "$user" bash -c "cd ~/asn-dash && $command" >"$log-test.log" 2>&1 || tests=$?
    say "$machine: test command exit $tests in $((SECONDS - t0)) s: $(grep -E '[0-9]+ (passed|failed|errors?)\b' "$log-test.log" | tail -1)"
    if [ $status -ne 0 ] || [ $tests -ne 0 ]; then return 1; fi
}

[ -n "$one" ] || say "fresh-machine test of $(git -C "$REPO" rev-parse --short HEAD) on: ${machines[*]}"
if [ -n "$one" ]; then
    run_machine "$one"
    exit $?
fi
failed=0
for machine in "${machines[@]}"; do
    bash "$0" --one "$machine" -- "${pytest_args[@]}" || failed=1
done
case "$0" in "$LOGS"/.fresh-machine-test.*.sh) rm -f "$0" ;; esac  # the copy this runs from
exit $failed
