#!/usr/bin/env bash
# The README's run command on a stock Debian 12, end to end: `bash .ci/setup-runtime && .venv/bin/ocpp-cs
# serve` in a chroot made by debootstrap (Debian's required and important packages only: no python3,
# git, sudo, ca-certificates or locales), from a clean clone of this repository's HEAD (committed files
# only), in three cases:
#   root    as root: apt without sudo; the embedded cluster runs as the unprivileged user postgres
#   sudo    as an ordinary user in group sudo (sudo installed, NOPASSWD so that it runs unattended),
#           with LANG=en_US.UTF-8 as an ssh client sends it, a locale this machine has not generated
#   nosudo  as an ordinary user on a machine without sudo: setup-runtime stops with one clear line;
#           root runs the apt-get command that line gives, and the user's second run goes on
# Each case starts from a fresh copy of the debootstrapped root. Prints PASS/FAIL lines and the figures
# (setup time, venv size, seconds until serve printed its first token, stations connected); exits 1
# on any FAIL. Not a pytest test: it needs root, Debian's mirror and PyPI, and minutes per case.
#
#   sudo bash bench/debian12_runtime.sh [--dir DIR] [--mirror URL] [--port N] [--case NAME]... [--keep]
#     --dir DIR     where the roots go (default /work/deb12-root; DIR/base is made once and reused)
#     --mirror URL  Debian mirror for debootstrap (default http://deb.debian.org/debian)
#     --port N      the port serve listens on (default 9220; the chroot shares the host's network)
#     --case NAME   root, sudo or nosudo (default all three)
#     --keep        keep each case's root (DIR/CASE) afterwards; mounts are always undone
#
# This workplace reaches PyPI through a TLS proxy: its CA (the host's /usr/local/share/ca-certificates)
# is copied into each root, to join the bundle when setup-runtime installs ca-certificates.
# A chroot has no init: a policy-rc.d keeps Debian's postgresql package from starting its own
# service (on a real machine that service runs beside, unused: the embedded cluster has no TCP port).
set -uo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
DIR=/work/deb12-root
MIRROR=http://deb.debian.org/debian
PORT=9220
CASES=()
KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --mirror) MIRROR="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --case) CASES+=("$2"); shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "debian12_runtime: unknown option $1" >&2; exit 2 ;;
  esac
done
[ ${#CASES[@]} -gt 0 ] || CASES=(root sudo nosudo)
[ "$(id -u)" -eq 0 ] || { echo "debian12_runtime: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
command -v curl >/dev/null || apt-get install -y -qq curl >/dev/null

FAILED=0
pass() { echo "PASS $CASE: $*"; }
fail() { echo "FAIL $CASE: $*"; FAILED=1; }
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$DIR"
if [ ! -e "$DIR/base/.debootstrap-done" ]; then
  rm -rf "$DIR/base"
  echo "debootstrap bookworm $DIR/base $MIRROR"
  debootstrap bookworm "$DIR/base" "$MIRROR" >"$DIR/debootstrap.log" 2>&1 \
    || { echo "FAIL debootstrap (see $DIR/debootstrap.log)"; exit 1; }
  touch "$DIR/base/.debootstrap-done"
fi
rm -rf "$DIR/src"
git clone -q "$HERE" "$DIR/src"
BASE_MB=$(du -smx "$DIR/base" | cut -f1)
echo "source: $(git -C "$DIR/src" log -1 --format='%h %s' | cut -c1-100)"

R=""
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -TERM -- "-$SERVE_PID" 2>/dev/null; sleep 3; kill -KILL -- "-$SERVE_PID" 2>/dev/null
  fi
  SERVE_PID=""
  if [ -n "$R" ]; then
    for m in dev/pts dev sys proc; do mountpoint -q "$R/$m" && umount -l "$R/$m"; done
  fi
}
trap cleanup EXIT

# packages: how many are installed in the root, and their Installed-Size in MB
packages() {
  chroot "$R" dpkg-query -W -f='${db:Status-Abbrev} ${Installed-Size}\n' \
    | awk '/^ii/ {n++; s += $2} END {printf "%d %d\n", n, s / 1024}'
}

# in_root USER COMMAND: a login-like shell of USER in the chroot, without the host's environment
in_root() {
  local user="$1" home; shift
  home=$(chroot "$R" getent passwd "$user" | cut -d: -f6)
  chroot "$R" runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" TERM=dumb $CASE_LANG \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c "cd ~/ocpp-cs && $*"
}

run_case() {
  CASE="$1"
  local user=root
  [ "$CASE" = sudo ] && user=alice
  [ "$CASE" = nosudo ] && user=bob
  # the sudo case logs in as over ssh from a desktop: a LANG that this machine has no locale for
  CASE_LANG=""
  [ "$CASE" = sudo ] && CASE_LANG=LANG=en_US.UTF-8
  R="$DIR/$CASE"
  cleanup; rm -rf "$R"
  cp -a "$DIR/base" "$R"
  mount -t proc proc "$R/proc"; mount -t sysfs sys "$R/sys"
  mount --bind /dev "$R/dev"; mount --bind /dev/pts "$R/dev/pts"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  # this workplace reaches PyPI through a TLS proxy whose CA the host trusts: the chroot trusts it too
  # (it joins the bundle when ca-certificates is installed; none on a machine on the open internet)
  mkdir -p "$R/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$R/usr/local/share/ca-certificates/" 2>/dev/null
  printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"; chmod +x "$R/usr/sbin/policy-rc.d"
  if [ "$CASE" = sudo ]; then  # the machine's admin gave alice sudo: not part of what is measured
    chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      bash -c 'apt-get update -qq && apt-get install -y -qq sudo' >/dev/null
    chroot "$R" useradd -m -s /bin/bash -G sudo alice
    echo 'alice ALL=(ALL) NOPASSWD: ALL' >"$R/etc/sudoers.d/alice"; chmod 440 "$R/etc/sudoers.d/alice"
  elif [ "$CASE" = nosudo ]; then
    chroot "$R" useradd -m -s /bin/bash bob
  fi
  local home; home=$(chroot "$R" getent passwd "$user" | cut -d: -f6)
  cp -a "$DIR/src" "$R$home/ocpp-cs"
  chroot "$R" chown -R "$user:" "$home/ocpp-cs"
  for tool in python3 git sudo; do
    chroot "$R" sh -c "command -v $tool" >/dev/null && echo "     $CASE: $tool present before setup" \
      || echo "     $CASE: $tool absent before setup"
  done

  local t0 t1 rc
  local pkgs0 mb0; read -r pkgs0 mb0 < <(packages)
  t0=$(now)
  in_root "$user" "bash .ci/setup-runtime" >"$R/setup.out" 2>"$R/setup.err"; rc=$?
  t1=$(now)
  if [ "$CASE" = nosudo ]; then
    check "setup-runtime stops (exit $rc) without sudo" [ "$rc" -ne 0 ]
    check "with one line: $(head -c 200 "$R/setup.err")" [ "$(wc -l <"$R/setup.err")" -eq 1 ]
    check "which names sudo" grep -q sudo "$R/setup.err"
    check "nothing installed" [ ! -e "$R$home/ocpp-cs/.venv" ]
    # the admin runs what the line says, as root; then bob's run goes on as the others'
    local advice; advice=$(sed -nE 's/.*as root, run (.*) \(or install sudo\).*/\1/p' "$R/setup.err")
    echo "     $CASE: root runs: $advice"
    chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
      bash -c "yes | { $advice; }" >/dev/null 2>"$R/admin.err"; rc=$?  # yes: the Y an admin types
    check "the line's command, as root (exit $rc)" [ "$rc" -eq 0 ]
    t0=$(now)
    in_root "$user" "bash .ci/setup-runtime" >"$R/setup.out" 2>"$R/setup.err"; rc=$?
    t1=$(now)
  fi
  if [ "$rc" -ne 0 ]; then
    fail "setup-runtime exit $rc: $(tail -5 "$R/setup.err")"; return
  fi
  pass "setup-runtime in $(secs "$t0" "$t1") s: $(tail -1 "$R/setup.out")"
  local venv="$R$home/ocpp-cs/.venv"
  local pkgs1 mb1; read -r pkgs1 mb1 < <(packages)
  echo "     $CASE: apt added $((pkgs1 - pkgs0)) packages, $((mb1 - mb0)) MB installed (dpkg Installed-Size); venv $(du -smx "$venv" | cut -f1) MB; the root grew from $BASE_MB to $(du -smx "$R" | cut -f1) MB (with apt's downloaded .debs)"
  local browsers
  browsers=$(chroot "$R" dpkg -l | awk '/^ii/ {print $2}' | grep -E 'chromium|firefox|docker|nginx|haproxy|pgtap' | tr '\n' ' ')
  check "dpkg -l: no browser, docker-compose, proxy or pgTAP${browsers:+ (has $browsers)}" [ -z "$browsers" ]
  local tests
  tests=$(in_root "$user" ".venv/bin/python -m pip list --format=freeze 2>/dev/null" \
    | grep -ioE '^(pytest[a-z_-]*|playwright|schemathesis)==' | tr '\n' ' ')
  check "venv: no pytest, playwright or schemathesis${tests:+ (has $tests)}" [ -z "$tests" ]

  t0=$(now)
  setsid chroot "$R" runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" $CASE_LANG \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd ~/ocpp-cs && exec .venv/bin/ocpp-cs serve --port $PORT" >"$R/serve.log" 2>&1 &
  SERVE_PID=$!
  local token="" i
  for i in $(seq 1 240); do
    token=$(awk '/first start: an operator token/ {getline; getline; print $1; exit}' "$R/serve.log")
    [ -n "$token" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.5
  done
  t1=$(now)
  if [ -z "$token" ]; then
    fail "serve printed no token: $(tail -5 "$R/serve.log")"; cleanup; return
  fi
  pass "serve listening with its first token after $(secs "$t0" "$t1") s"
  # the emulator's stations (conf/cp): each boots; those on WebSocket stay connected (a SOAP one
  # has no connection to hold)
  local started soap connected=0 total=0 body
  started=$(grep -oE 'emulator: [0-9]+ OCPP [0-9.]+ stations started' "$R/serve.log" | awk '{s += $2} END {print s + 0}')
  soap=$(grep -c 'over SOAP, commands at' "$R/serve.log")
  for i in $(seq 1 60); do
    body=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/stations")
    total=$(grep -o '"identity"' <<<"$body" | wc -l)
    connected=$(grep -o '"connected": *true' <<<"$body" | wc -l)
    [ "$total" -ge "$started" ] && [ "$connected" -ge $((started - soap)) ] && break
    sleep 1
  done
  check "REST /api/v1/stations with the printed token: $total of $started emulator stations known, $connected connected over WebSocket ($soap on SOAP)" \
    test "$started" -gt 0 -a "$total" -eq "$started" -a "$connected" -eq $((started - soap))
  local pg pgdata=/var/lib/ocpp-cs/pgdata runs_as=postgres  # the defaults of serve's --data-dir
  [ "$user" = root ] || { pgdata="$home/.local/share/ocpp-cs/pgdata"; runs_as="$user"; }
  pg=$(head -1 "$R$pgdata/postmaster.pid" 2>/dev/null)
  check "the embedded cluster in $pgdata (pid ${pg:-none}) runs as $runs_as" \
    test "$(ps -o uid= -p "${pg:-0}" 2>/dev/null | tr -d ' ')" = "$(chroot "$R" id -u "$runs_as")"
  local tracebacks; tracebacks=$(grep -c Traceback "$R/serve.log")
  check "no traceback in serve's log" [ "$tracebacks" -eq 0 ]
  # SIGTERM (a background job of a script has SIGINT ignored); serve stops its cluster too
  kill -TERM -- "-$SERVE_PID" 2>/dev/null
  for i in $(seq 1 30); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.5; done
  check "serve stops on SIGTERM" bash -c "! kill -0 $SERVE_PID 2>/dev/null"
  cleanup
}

for c in "${CASES[@]}"; do
  run_case "$c"
  cleanup
  [ -n "$KEEP" ] || rm -rf "$DIR/$c"
done
R=""
[ "$FAILED" -eq 0 ] && echo "PASS all: ${CASES[*]}" || echo "FAIL: see the lines above"
exit "$FAILED"
