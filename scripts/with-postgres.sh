#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster on a private port, then removes it.
# Autovacuum is off: tests hold long transactions, and an ANALYZE that ran while a table was
# empty made the planner loop over thousands of rows for minutes. Tests that load much data
# analyze it themselves (core.testing.Snapshot).
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  "$(dirname "$0")/ensure-system-packages.sh" postgresql-15
fi
dir=$(mktemp -d /tmp/zhengfa-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
  --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off" \
  start >/dev/null
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (removed afterwards)"
DATABASE_URL="postgres://postgres@127.0.0.1:$port/zhengfa" "$@"
