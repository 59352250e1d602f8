# Sourced by scripts/test.sh: starts the real components that tests use
# (a throwaway PostgreSQL cluster, npm packages, Chromium) and exports where they are.
: "${CONNECTMAIL_TEST_TMP:=$(mktemp -d /tmp/connectmail-test.XXXXXX)}"
export CONNECTMAIL_TEST_TMP

# ---- PostgreSQL (postgres/, storetest/, server/pg_e2e_test.go) -------------
# A throwaway PostgreSQL 15 cluster on a free loopback port, so the PostgreSQL
# half of the store conformance suite and the multi-node test always run.
# initdb refuses to run as root, so as root the cluster belongs to an
# unprivileged system user (postgres if it exists, else nobody) and lives in
# a data directory that user owns under $CONNECTMAIL_TEST_TMP. TCP on
# 127.0.0.1 only, trust authentication, no Unix socket. Exports
# CONNECTMAIL_TEST_POSTGRES; the EXIT trap stops the cluster. Set
# CONNECTMAIL_TEST_POSTGRES yourself to use an existing database server instead.
CONNECTMAIL_PG_BIN="${CONNECTMAIL_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ -z "${CONNECTMAIL_TEST_POSTGRES:-}" ] && [ ! -x "$CONNECTMAIL_PG_BIN/initdb" ]; then
  (export DEBIAN_FRONTEND=noninteractive; apt-get update && apt-get install -y postgresql-15) ||
    echo "warning: could not install PostgreSQL 15; the PostgreSQL tests will be skipped"
fi
connectmail_pg_stop() {
  if [ -n "${CONNECTMAIL_PG_DATA:-}" ] && [ -f "$CONNECTMAIL_PG_DATA/postmaster.pid" ]; then
    connectmail_pg_as "$CONNECTMAIL_PG_BIN/pg_ctl" -D "$CONNECTMAIL_PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
connectmail_pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$CONNECTMAIL_PG_USER" -- "$@"; else "$@"; fi
}
if [ -z "${CONNECTMAIL_TEST_POSTGRES:-}" ] && [ -x "$CONNECTMAIL_PG_BIN/initdb" ]; then
  CONNECTMAIL_PG_USER=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    CONNECTMAIL_PG_USER=nobody
    if id postgres >/dev/null 2>&1; then CONNECTMAIL_PG_USER=postgres; fi
    chmod o+x "$CONNECTMAIL_TEST_TMP" # let the cluster's user reach its own directory
  fi
  CONNECTMAIL_PG_DATA="$CONNECTMAIL_TEST_TMP/postgres"
  mkdir -p "$CONNECTMAIL_PG_DATA"
  chmod 700 "$CONNECTMAIL_PG_DATA"
  [ "$(id -u)" != 0 ] || chown "$CONNECTMAIL_PG_USER" "$CONNECTMAIL_PG_DATA"
  connectmail_pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  connectmail_pg_as "$CONNECTMAIL_PG_BIN/initdb" -D "$CONNECTMAIL_PG_DATA" -U connectmail --auth=trust \
    -E UTF8 --no-locale --no-sync >"$CONNECTMAIL_TEST_TMP/postgres-initdb.log" 2>&1 ||
    { cat "$CONNECTMAIL_TEST_TMP/postgres-initdb.log"; return 1 2>/dev/null || exit 1; }
  trap connectmail_pg_stop EXIT
  connectmail_pg_as "$CONNECTMAIL_PG_BIN/pg_ctl" -D "$CONNECTMAIL_PG_DATA" -l "$CONNECTMAIL_PG_DATA/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $connectmail_pg_port -c unix_socket_directories= -c max_connections=300" start >/dev/null ||
    { cat "$CONNECTMAIL_PG_DATA/server.log"; return 1 2>/dev/null || exit 1; }
  export CONNECTMAIL_PG_DATA
  export CONNECTMAIL_TEST_POSTGRES="postgres://connectmail@127.0.0.1:$connectmail_pg_port/postgres?sslmode=disable"
  echo "PostgreSQL 15 test cluster: $CONNECTMAIL_TEST_POSTGRES (data $CONNECTMAIL_PG_DATA)"
fi
# ---- end PostgreSQL ---------------------------------------------------------

# --- Mailpit: an independent SMTP receiver for end-to-end tests -------------
if [ -z "${CONNECTMAIL_TEST_MAILPIT:-}" ]; then
  GOBIN="$CONNECTMAIL_TEST_TMP/bin" go install github.com/axllent/mailpit@v1.33.1
  export CONNECTMAIL_TEST_MAILPIT="$CONNECTMAIL_TEST_TMP/bin/mailpit"
fi

# ---- Chromium (ui/browser_test.go: the web UI in a real headless browser) ----
# Debian's chromium and a CJK font, installed when missing; the browser tests
# skip (and say so) only when chromium is absent. Their screenshots go to
# CONNECTMAIL_TEST_ARTIFACTS.
command -v chromium >/dev/null 2>&1 ||
  (export DEBIAN_FRONTEND=noninteractive; apt-get update && apt-get install -y chromium) ||
  echo "warning: could not install chromium; the browser tests will be skipped"
# A CJK font, so that Japanese, Chinese and Korean text renders as users see
# it rather than as boxes (TestBrowserJapaneseSubject fails without one).
{ command -v fc-list >/dev/null 2>&1 && fc-list :lang=ja family | grep -q .; } ||
  (export DEBIAN_FRONTEND=noninteractive; apt-get update && apt-get install -y fonts-noto-cjk) ||
  echo "warning: could not install fonts-noto-cjk; TestBrowserJapaneseSubject will fail"
: "${CONNECTMAIL_TEST_ARTIFACTS:=$CONNECTMAIL_TEST_TMP/artifacts}"
export CONNECTMAIL_TEST_ARTIFACTS
# ---- end Chromium -------------------------------------------------------------

# ---- npm: the AWS SDK for JavaScript v3 clients (clients/js) ----------------
# Installed from the lock file; the JS suites skip (and say so) only when node is absent.
if command -v npm >/dev/null 2>&1 && [ ! -d clients/js/node_modules/@aws-sdk/client-qconnect ]; then
  (cd clients/js && npm ci --no-audit --no-fund --loglevel=error)
fi
# ---- end npm ------------------------------------------------------------------

# ---- podman: the container image and compose recipe (packaging/) ------------
# Debian's podman, runc and podman-compose (plus the CNI plugin that lets
# compose services find each other by name), installed when missing; the
# packaging tests skip (and say so) without them or when containers do not run
# (CONNECTMAIL_TEST_REQUIRE_CONTAINERS=1 makes that a failure). This machine
# needs runc (crun fails here), cgroupfs (no systemd), and rlimits no higher
# than the current ones (no CAP_SYS_RESOURCE; podman's defaults are higher):
# a containers.conf of our own says so to every podman, podman-compose's too.
if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1 || ! command -v podman-compose >/dev/null 2>&1; then
  (export DEBIAN_FRONTEND=noninteractive
   connectmail_podman_pkgs="podman runc podman-compose golang-github-containernetworking-plugin-dnsname"
   apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends $connectmail_podman_pkgs ||
     { apt-get update && apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends $connectmail_podman_pkgs; }) ||
    echo "warning: could not install podman; the container tests will be skipped"
fi
if command -v podman >/dev/null 2>&1 && [ -z "${CONTAINERS_CONF:-}" ]; then
  connectmail_nofile=$(ulimit -Hn)
  [ "$connectmail_nofile" != unlimited ] || connectmail_nofile=1048576
  export CONTAINERS_CONF="$CONNECTMAIL_TEST_TMP/containers.conf"
  cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=$connectmail_nofile:$connectmail_nofile", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
  export CONNECTMAIL_TEST_PODMAN
  CONNECTMAIL_TEST_PODMAN=$(command -v podman)
fi
# ---- end podman ---------------------------------------------------------------
