#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the test suite on 127.0.0.1 and prints its URL.
# Usage: eval "$(test/pg/start-postgres.sh)"   → exports DATABASE_URL
set -euo pipefail
PORT="${PGTEST_PORT:-55432}"
DIR="${PGTEST_DIR:-/tmp/crieur-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
if [ ! -x "$BIN/postgres" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
if [ ! -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  run_pg "'$BIN/initdb' -D '$DIR' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null"
fi
if ! run_pg "'$BIN/pg_ctl' -D '$DIR' status >/dev/null 2>&1"; then
  # fsync off: a test database is thrown away, durability buys nothing here.
  run_pg "'$BIN/pg_ctl' -D '$DIR' -l '$DIR/log' -w -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start >/dev/null"
fi
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
