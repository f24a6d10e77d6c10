# shellcheck shell=bash
# PgBouncer in transaction mode in front of an instance's Postgres: the local stand-in for
# Supavisor's port 6543, which lends a server connection per transaction. scripts/test
# runs the Deno tests a second time with the functions connected through it.
# Sourced after lib.sh, never executed. Expects DB_PORT, PGDATA_DIR and as_pg from lib.sh.

POOLER_PORT="${POOLER_PORT:-$((DB_PORT + 10))}"
POOLER_URL="postgresql://postgres:postgres@127.0.0.1:$POOLER_PORT/postgres"
# tests/_helpers/wire_watch.ts relays this port to PgBouncer, counting pipelined queries.
WATCH_PORT="${WATCH_PORT:-$((POOLER_PORT + 1))}"
WATCHED_POOLER_URL="postgresql://postgres:postgres@127.0.0.1:$WATCH_PORT/postgres"
# Beside the cluster, because PgBouncer refuses to run as root and `postgres` owns that dir.
POOLER_DIR="$(dirname "$PGDATA_DIR")/pgbouncer"

ensure_pgbouncer() {
  command -v pgbouncer >/dev/null && return 0
  if is_root && command -v apt-get >/dev/null; then
    log "installing pgbouncer with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
  else
    die "missing package: pgbouncer (install it with: sudo apt-get install pgbouncer)"
  fi
}

start_pgbouncer() {
  stop_pgbouncer
  log "starting PgBouncer (transaction mode) on port $POOLER_PORT"
  mkdir -p "$POOLER_DIR"
  # The local stack's `postgres` password is public (it is in every URL above); PgBouncer
  # needs it in clear to answer SCRAM for the client and log in to Postgres with SCRAM,
  # without reading pg_authid, which a non-superuser `postgres` cannot.
  echo '"postgres" "postgres"' >"$POOLER_DIR/userlist.txt"
  cat >"$POOLER_DIR/pgbouncer.ini" <<INI
[databases]
postgres = host=127.0.0.1 port=$DB_PORT dbname=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $POOLER_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $POOLER_DIR/userlist.txt
pool_mode = transaction
max_client_conn = 400
default_pool_size = 20
logfile = $POOLER_DIR/pgbouncer.log
pidfile = $POOLER_DIR/pgbouncer.pid
INI
  rm -f "$POOLER_DIR/pgbouncer.log"
  if is_root; then chown -R postgres: "$POOLER_DIR"; fi
  as_pg pgbouncer -d -q "$POOLER_DIR/pgbouncer.ini" \
    || { tail -20 "$POOLER_DIR/pgbouncer.log" >&2 2>/dev/null; die "PgBouncer did not start"; }
  local i
  for i in $(seq 1 50); do
    if PGPASSWORD=postgres psql -X -q -h 127.0.0.1 -p "$POOLER_PORT" -U postgres -d postgres \
      -tAc 'select 1' >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  tail -20 "$POOLER_DIR/pgbouncer.log" >&2
  die "PgBouncer did not accept connections"
}

stop_pgbouncer() {
  local pid
  pid="$(cat "$POOLER_DIR/pgbouncer.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$POOLER_DIR/pgbouncer.pid"
}

# Starts the wire watch in front of PgBouncer; its counts go to $1 when it is stopped.
start_wire_watch() {
  rm -f "$1"
  "$DENO" run --allow-net --allow-write --quiet "$ROOT/tests/_helpers/wire_watch.ts" \
    --listen "$WATCH_PORT" --target "$POOLER_PORT" --report "$1" &
  WIRE_WATCH_PID=$!
  local i
  for i in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done
  die "the wire watch did not start"
}

stop_wire_watch() {
  [ -n "${WIRE_WATCH_PID:-}" ] || return 0
  kill -TERM "$WIRE_WATCH_PID" 2>/dev/null || true
  wait "$WIRE_WATCH_PID" 2>/dev/null || true
  WIRE_WATCH_PID=""
}
