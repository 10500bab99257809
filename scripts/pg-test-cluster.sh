#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests, in target/pg-test/ (or in
# $CW_PG_TEST_DIR when set: scripts/test.sh puts it on a tmpfs).
#
#   scripts/pg-test-cluster.sh start   # prints the admin URL on stdout
#   scripts/pg-test-cluster.sh stop
#
# Installs Debian's postgresql package when no server binaries are found.
# The cluster listens on 127.0.0.1 only, on a free port, trusts local
# connections (it holds nothing but test data) and runs with fsync off.
# PostgreSQL refuses to run as root, so under root it runs as the
# `postgres` user (created by the Debian package). Tests create one
# database per test through the admin URL (crates/store/tests/…/servers.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${CW_PG_TEST_DIR:-$PWD/target/pg-test}"

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if ! bindir=$(find_bindir); then
      echo "installing postgresql (Debian package)" >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
      bindir=$(find_bindir)
    fi
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bindir/initdb" -D "$dir/data" -U clausewatch --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >&2 || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    echo "postgres://clausewatch@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ] && bindir=$(find_bindir); then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast stop >&2 || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
