#!/usr/bin/env bash
# The services the test suite uses beyond Python: PostgreSQL (the web tests' real database) and
# headless Chromium (the browser end-to-end tests). `make test` and CI both run through here:
#
#     tools/test-services.sh COMMAND [ARGS...]
#
# As root it installs what is missing (apt), starts PostgreSQL with a test role and database and
# runs COMMAND with KINCHAIN_TEST_DATABASE_URL set. Without root, or when a step fails, it prints
# one line per group of tests that will be skipped and how to get it, then runs COMMAND anyway.
# Idempotent, and quick when everything is installed and running.
set -uo pipefail

note() { echo "test-services: $*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# --- system packages, installed only when missing and only as root.
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
if [ "${#need[@]}" -gt 0 ] && is_root && command -v apt-get >/dev/null 2>&1; then
    note "installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"; } >&2 \
        || note "apt-get install failed"
fi

# --- PostgreSQL: a cluster on 127.0.0.1 with the kinchain role and the kinchain_test database.
pg_setup() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 1
    if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
        local ver
        ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
        pg_createcluster "$ver" main >/dev/null || return 1
    fi
    local pg_ver pg_name pg_port pg_status
    read -r pg_ver pg_name pg_port pg_status _ < <(pg_lsclusters -h | head -1)
    if [ "$pg_status" != "online" ]; then
        pg_ctlcluster "$pg_ver" "$pg_name" start || return 1
    fi
    local ok=
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p "$pg_port" && { ok=1; break; }
        sleep 1
    done
    [ -n "$ok" ] || return 1
    local psql="psql -q -p $pg_port -tc"
    su postgres -c "$psql \"SELECT 1 FROM pg_roles WHERE rolname='kinchain'\"" | grep -q 1 \
        || su postgres -c "psql -q -p $pg_port -c \"CREATE ROLE kinchain LOGIN PASSWORD 'kinchain'\"" \
        || return 1
    su postgres -c "$psql \"SELECT 1 FROM pg_database WHERE datname='kinchain_test'\"" | grep -q 1 \
        || su postgres -c "createdb -p $pg_port -O kinchain kinchain_test" || return 1
    export KINCHAIN_TEST_DATABASE_URL="postgresql+psycopg://kinchain:kinchain@127.0.0.1:${pg_port}/kinchain_test"
}

if [ -n "${KINCHAIN_TEST_DATABASE_URL:-}" ]; then
    :  # given by the caller: use it as is
elif ! is_root; then
    note "PostgreSQL tests will be skipped (not root): run 'sudo make test', or set" \
        "KINCHAIN_TEST_DATABASE_URL=postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
elif ! pg_setup; then
    note "PostgreSQL tests will be skipped (PostgreSQL could not be installed or started):" \
        "apt-get install postgresql, or set KINCHAIN_TEST_DATABASE_URL"
fi

if [ ! -x /usr/bin/chromium ]; then
    note "browser (e2e) tests will be skipped (/usr/bin/chromium is absent):" \
        "sudo apt-get install chromium fonts-liberation, or run 'sudo make test'"
fi

[ "$#" -gt 0 ] || exit 0
exec "$@"
