# shellcheck shell=bash
# Shared by scripts/start, stop, reset and test: installs what the local stack needs and
# runs one named instance of it (Postgres + the gateway) under .local/<instance>/.
# Sourced, never executed. Expects INSTANCE, DB_PORT and API_PORT to be set.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO_VERSION="2.9.6"
PG_BIN="/usr/lib/postgresql/15/bin"
STATE="$ROOT/.local/$INSTANCE"
PGDATA_DIR="$STATE/db"
# As on a Supabase project: `postgres` (not a superuser) runs migrations, the seed and the
# functions; `supabase_admin` is the superuser that only the platform (here local/db/
# bootstrap.sql) uses; the auth server logs in as `supabase_auth_admin`, as GoTrue does.
DB_URL="postgresql://postgres:postgres@127.0.0.1:$DB_PORT/postgres"
AUTH_DB_URL="postgresql://supabase_auth_admin:postgres@127.0.0.1:$DB_PORT/postgres"
SUPABASE_VERSION="2.117.0"
API_URL="http://127.0.0.1:$API_PORT"

# Trust the OS store too, so Deno reaches the npm registry behind a TLS-inspecting proxy,
# as npm does with its cafile.
export DENO_TLS_CA_STORE="${DENO_TLS_CA_STORE:-system,mozilla}"

log() { printf '\033[1m[lytics:%s]\033[0m %s\n' "$INSTANCE" "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" = "0" ]; }

# Postgres refuses to run as root, so as root everything database-side runs as `postgres`.
as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- installation -----------------------------------------------------------------------

ensure_deno() {
  local bin="$ROOT/.tools/node_modules/@deno/linux-x64-glibc/deno"
  if [ ! -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "deno $DENO_VERSION"; then
    command -v npm >/dev/null || die "npm is required to install Deno (install Node.js 20+)"
    log "installing deno $DENO_VERSION from npm into .tools/"
    mkdir -p "$ROOT/.tools"
    npm install --silent --no-save --no-audit --no-fund --prefix "$ROOT/.tools" "deno@$DENO_VERSION" >/dev/null 2>&1 \
      || die "npm install deno@$DENO_VERSION failed"
  fi
  # The npm package picks a platform binary; fall back to its launcher elsewhere.
  if [ -x "$bin" ]; then DENO="$bin"; else DENO="$ROOT/.tools/node_modules/.bin/deno"; fi
  export DENO
}

ensure_system_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
  [ -f /usr/share/postgresql/15/extension/pg_cron.control ] || missing+=(postgresql-15-cron)
  [ -f /usr/share/postgresql/15/extension/pgtap.control ] || missing+=(postgresql-15-pgtap)
  command -v pg_prove >/dev/null || missing+=(libtap-parser-sourcehandler-pgtap-perl)
  [ ${#missing[@]} -eq 0 ] && return 0
  if is_root && command -v apt-get >/dev/null; then
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "missing packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})"
  fi
}

# --- postgres ---------------------------------------------------------------------------

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }

# As root, the cluster belongs to `postgres`, which must be able to reach it: when the
# checkout sits somewhere `postgres` cannot enter (e.g. under /root), the data lives in
# /var/tmp/lytics/ instead, keyed by the checkout path.
if is_root && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  PGDATA_DIR="/var/tmp/lytics/$(printf '%s' "$ROOT" | md5sum | cut -c1-12)/$INSTANCE/db"
fi

# Clusters made before the platform's roles were reproduced have `postgres` as their
# bootstrap superuser, which cannot become the platform's non-superuser `postgres`: they are
# moved aside (never deleted) and a new one is made. This file marks the new layout.
ROLES_MARKER="lytics-roles-v2"

init_cluster() {
  if [ -f "$PGDATA_DIR/PG_VERSION" ] && [ ! -f "$PGDATA_DIR/$ROLES_MARKER" ]; then
    local aside
    aside="$PGDATA_DIR.before-roles-$(date +%Y%m%d%H%M%S)"
    log "this cluster predates the Supabase roles; moving it to ${aside#"$ROOT"/} and starting afresh"
    pg_running && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
    mv "$PGDATA_DIR" "$aside"
  fi
  [ -f "$PGDATA_DIR/PG_VERSION" ] && return 0
  log "creating a Postgres cluster in ${PGDATA_DIR#"$ROOT"/}"
  mkdir -p "$PGDATA_DIR" "$STATE"
  local pwfile
  pwfile="$(dirname "$PGDATA_DIR")/pwfile"
  echo postgres >"$pwfile"
  if is_root; then chown -R postgres: "$(dirname "$PGDATA_DIR")"; fi
  # supabase_admin is the bootstrap superuser, as in supabase/postgres's image; bootstrap.sql
  # creates `postgres` without superuser.
  as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U supabase_admin --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  as_pg touch "$PGDATA_DIR/$ROLES_MARKER"
  cat >>"$PGDATA_DIR/postgresql.conf" <<CONF
# --- lytics local stack ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$(dirname "$PGDATA_DIR")'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
max_connections = 200
work_mem = 32MB
maintenance_work_mem = 512MB
fsync = ${PG_FSYNC:-on}
synchronous_commit = ${PG_SYNC_COMMIT:-on}
log_min_messages = warning
CONF
}

start_db() {
  init_cluster
  if pg_running; then return 0; fi
  log "starting Postgres on port $DB_PORT"
  # Memory and checkpoint settings are passed at each start, so existing clusters follow
  # them too. A quarter of the RAM (at most 4 GB) for shared_buffers, as hosted Postgres
  # sizes it; checkpoints spaced so bulk ingestion does not force one every few seconds
  # (each makes the next write of every page a full-page image in the WAL).
  local ram_mb buffers_mb
  ram_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
  buffers_mb=$((ram_mb / 4 > 4096 ? 4096 : ram_mb / 4))
  buffers_mb=$((buffers_mb < 128 ? 128 : buffers_mb))
  local options="-p $DB_PORT -c shared_buffers=${PG_SHARED_BUFFERS:-${buffers_mb}MB}"
  options+=" -c max_wal_size=${PG_MAX_WAL_SIZE:-4GB} -c checkpoint_timeout=15min"
  # pg_cron runs jobs in background workers, as on Supabase: its default, a libpq
  # connection to localhost, needs a password this cluster's host rules ask for, so every
  # scheduled job failed with "connection failed".
  options+=" -c cron.use_background_workers=on -c max_worker_processes=20"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -o "$options" -l "$PGDATA_DIR/server.log" -w start >/dev/null \
    || { tail -20 "$PGDATA_DIR/server.log" >&2; die "Postgres did not start"; }
}

stop_db() {
  if [ -f "$PGDATA_DIR/PG_VERSION" ] && pg_running; then
    log "stopping Postgres"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
  fi
}

psql_db() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=postgres psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DB_PORT" -U postgres -d postgres "$@"; }
# The platform's superuser: only bootstrap.sql and what the platform itself would install.
psql_admin() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=postgres psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DB_PORT" -U supabase_admin -d postgres "$@"; }

# The real Supabase CLI, pinned, from npm into .tools/supabase/ (its own prefix, so npm does
# not prune Deno). The npm package carries the linux binary as an optional dependency, so
# nothing is downloaded beyond the npm registry.
ensure_supabase_cli() {
  local prefix="$ROOT/.tools/supabase"
  SUPABASE="$prefix/node_modules/.bin/supabase"
  if [ ! -x "$SUPABASE" ] || [ "$("$SUPABASE" --version 2>/dev/null)" != "$SUPABASE_VERSION" ]; then
    command -v npm >/dev/null || die "npm is required to install the Supabase CLI (install Node.js 20+)"
    log "installing supabase $SUPABASE_VERSION from npm into .tools/supabase/"
    mkdir -p "$prefix"
    npm install --silent --no-save --no-audit --no-fund --prefix "$prefix" "supabase@$SUPABASE_VERSION" >/dev/null 2>&1 \
      || die "npm install supabase@$SUPABASE_VERSION failed"
  fi
  export SUPABASE
}

# Runs the Supabase CLI on this project. Telemetry off (the two variables it reads): it would
# send usage events to PostHog from every test run.
supabase_cli() {
  (cd "$ROOT" && SUPABASE_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 "$SUPABASE" "$@")
}

# Applies local/db/bootstrap.sql as supabase_admin, then the pending migrations with the real
# CLI's `supabase db push`, as postgres, recording them in its supabase_migrations history.
migrate() {
  psql_admin -f "$ROOT/local/db/bootstrap.sql" >/dev/null
  supabase_cli db push --yes --db-url "$DB_URL?sslmode=disable" >"$STATE/db-push.log" 2>&1 \
    || { cat "$STATE/db-push.log" >&2; return 1; }
  grep -E '^Applying migration' "$STATE/db-push.log" | while read -r line; do log "$line"; done || true
  wake_cron_scheduler
}

# pg_cron's scheduler can miss jobs a large migration schedules: the migration's flood of
# catalog invalidations overflows the idle scheduler's queue, the overflow arrives as a
# cache reset, and pg_cron's relcache callback ignores a reset (it only reacts to cron.job's
# own invalidation), so those jobs stay unloaded until the next change to cron.job or a
# restart. Touching each job once the scheduler has caught up (it wakes every second) sends
# that invalidation alone. Deploying has the same step (README, "Deploying").
wake_cron_scheduler() {
  sleep 1.5
  psql_db -c "select count(cron.alter_job(jobid, active := active)) from cron.job" >/dev/null
}

# Stops when the database has applied migrations that supabase/migrations no longer has
# (they were rewritten, as when they were folded into one per domain): `db push` would
# refuse such a history, and migrating cannot carry the data forward. Dropping it is the
# user's call, through ./scripts/reset; nothing here deletes anything. Asked as
# supabase_admin, since a new cluster has no `postgres` role until bootstrap.sql runs.
check_migration_history() {
  local known applied stale=() version
  known="$(psql_admin -At -c "select to_regclass('supabase_migrations.schema_migrations') is not null")"
  [ "$known" = t ] || return 0
  applied="$(psql_admin -At -c 'select version from supabase_migrations.schema_migrations order by 1')"
  for version in $applied; do
    compgen -G "$ROOT/supabase/migrations/${version}_*.sql" >/dev/null || stale+=("$version")
  done
  [ ${#stale[@]} -eq 0 ] && return 0
  local reset="./scripts/reset"
  if [ "$INSTANCE" != dev ] || [ "$DB_PORT" != 54322 ] || [ "$API_PORT" != 54321 ]; then
    reset="LYTICS_INSTANCE=$INSTANCE DB_PORT=$DB_PORT API_PORT=$API_PORT $reset"
  fi
  log "error: this database applied migrations that supabase/migrations no longer has: ${stale[*]}"
  log "The migrations were rewritten since, so this database cannot be migrated forward."
  log "Run $reset to drop its data and start afresh with the seed. Nothing was changed;"
  log "Postgres is left running on port $DB_PORT in case you want to copy anything out first."
  exit 1
}

# The seed goes through the CLI too (`db push --include-seed`, as postgres), which loads it
# once and records it in supabase_migrations.seed_files.
seed() {
  [ -f "$ROOT/supabase/seed.sql" ] || return 0
  supabase_cli db push --yes --include-seed --db-url "$DB_URL?sslmode=disable" >"$STATE/db-seed.log" 2>&1 \
    || { cat "$STATE/db-seed.log" >&2; return 1; }
  grep -E '^Seeding data' "$STATE/db-seed.log" | while read -r line; do log "$line"; done || true
}

# --- gateway ----------------------------------------------------------------------------

gateway_pid() { cat "$STATE/gateway.pid" 2>/dev/null || true; }

gateway_running() {
  local pid
  pid="$(gateway_pid)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# A setting for the functions, unless the environment or supabase/functions/.env has one.
function_setting_is_set() { # name
  [ -n "${!1:-}" ] || grep -qE "^[[:space:]]*$1=" "$ROOT/supabase/functions/.env" 2>/dev/null
}

# The key that seals data-source credentials: made once per instance and kept in its state
# dir (mode 600), so a restart still decrypts what was stored. Deployed, it is a secret.
ensure_encryption_key() {
  local file="$STATE/encryption-keys"
  if [ ! -s "$file" ]; then
    mkdir -p "$STATE"
    (umask 077 && printf 'local%s:%s\n' "$(date +%Y%m%d)" "$(head -c 32 /dev/urandom | base64 -w0)" >"$file")
  fi
  cat "$file"
}

# What the data-source flows need locally unless set: the sealing key, and the origins a
# browser may be sent back to (the auth site_url of supabase/config.toml).
gateway_source_env() {
  function_setting_is_set LYTICS_ENCRYPTION_KEYS || LYTICS_ENCRYPTION_KEYS="$(ensure_encryption_key)"
  function_setting_is_set OAUTH_REDIRECT_ORIGINS || OAUTH_REDIRECT_ORIGINS="http://127.0.0.1:3000,http://localhost:3000"
  export LYTICS_ENCRYPTION_KEYS OAUTH_REDIRECT_ORIGINS
}

start_gateway() {
  if gateway_running; then return 0; fi
  log "starting the gateway on port $API_PORT"
  gateway_source_env
  (
    cd "$ROOT"
    LYTICS_STATE_DIR="$STATE" API_PORT="$API_PORT" SUPABASE_DB_URL="$DB_URL" GOTRUE_DB_DATABASE_URL="$AUTH_DB_URL" \
      nohup "$DENO" run --allow-all --quiet local/gateway/main.ts >"$STATE/gateway.log" 2>&1 &
    echo $! >"$STATE/gateway.pid"
  )
  local i
  for i in $(seq 1 300); do
    if curl -fsS "$API_URL/auth/v1/health" >/dev/null 2>&1; then return 0; fi
    gateway_running || break
    sleep 0.2
  done
  tail -30 "$STATE/gateway.log" >&2
  die "the gateway did not come up"
}

stop_gateway() {
  local pid
  pid="$(gateway_pid)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    log "stopping the gateway"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$STATE/gateway.pid"
}

# What the scheduled wake-up of `sync` reads from Vault (the functions' URL and the secret
# key), stored once the gateway has made the keys; idempotent.
store_vault_secrets() {
  "$DENO" run --allow-read --allow-net --allow-env --quiet "$ROOT/local/vault/store-secrets.ts" \
    "$STATE" "$API_URL" "$DB_URL"
}

# Keys are generated by the gateway on first start and kept in the state dir.
print_env() {
  "$DENO" run --allow-read --quiet "$ROOT/local/gateway/print-env.ts" "$STATE" "$API_URL" "$DB_URL"
}
