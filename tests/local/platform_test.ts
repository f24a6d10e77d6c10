/**
 * The local database is built like a Supabase one (local/db/bootstrap.sql): the roles and
 * their powers, where extensions live, who owns auth, and migrations and seed applied by the
 * real Supabase CLI with its own history. What the migrations grant is tested in
 * supabase/tests/privileges.sql.
 */
import assert from 'node:assert/strict'
import { adminSql, newUser, stack, test } from '../_helpers/stack.ts'

test('postgres is not a superuser but bypasses RLS, as on Supabase; the API roles inherit', async () => {
  assert.equal(new URL(stack.dbUrl).username, 'postgres', 'the tests connect as postgres')
  const roles = await adminSql<
    { rolname: string; super: boolean; bypass: boolean; inherit: boolean }[]
  >`
    select rolname, rolsuper as super, rolbypassrls as bypass, rolinherit as inherit
    from pg_roles
    where rolname in ('postgres', 'supabase_admin', 'supabase_auth_admin', 'anon',
                      'authenticated', 'service_role', 'authenticator')
    order by rolname`
  assert.deepEqual(roles.map((r) => ({ ...r })), [
    { rolname: 'anon', super: false, bypass: false, inherit: true },
    { rolname: 'authenticated', super: false, bypass: false, inherit: true },
    { rolname: 'authenticator', super: false, bypass: false, inherit: false },
    { rolname: 'postgres', super: false, bypass: true, inherit: true },
    { rolname: 'service_role', super: false, bypass: true, inherit: true },
    { rolname: 'supabase_admin', super: true, bypass: true, inherit: true },
    { rolname: 'supabase_auth_admin', super: false, bypass: false, inherit: false },
  ])
})

test('postgres cannot do what only a superuser may', async () => {
  for (
    const statement of [
      `set session_replication_role = replica`,
      `alter system set work_mem = '64MB'`,
      `create extension pageinspect with schema extensions`,
      `select pg_read_file('postgresql.conf')`,
    ]
  ) {
    await assert.rejects(
      adminSql.unsafe(statement),
      /permission denied|must be superuser/,
      statement,
    )
  }
})

test('new tables in public get the permissive default privileges of self-hosted Supabase', async () => {
  const [row] = await adminSql.begin(async (tx) => {
    await tx`create table public.platform_probe (id int)`
    const rows = await tx<{ anon: boolean }[]>`
      select has_table_privilege('anon', 'public.platform_probe', 'select, truncate') as anon`
    throw Object.assign(new Error('rollback'), { rows })
  }).catch((e) => e.rows)
  assert.equal(row.anon, true)
})

test('pg_cron lives in pg_catalog and its jobs run as postgres', async () => {
  const [ext] = await adminSql`
    select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_cron'`
  assert.equal(ext.schema, 'pg_catalog')
  const owners =
    await adminSql`select distinct username from cron.job where jobname like 'lytics-%'`
  assert.deepEqual(owners.map((r) => r.username), ['postgres'])
  // As on Supabase, postgres schedules through cron.schedule but cannot write cron.job directly.
  await assert.rejects(adminSql`update cron.job set active = false`, /permission denied/)
})

test('auth belongs to supabase_auth_admin, and the auth server logs in as it', async () => {
  const owners = await adminSql`
    select distinct tableowner from pg_tables where schemaname = 'auth'`
  assert.deepEqual(owners.map((r) => r.tableowner), ['supabase_auth_admin'])
  await newUser('platform') // a sign-up, so the auth server has used its connection
  const sessions = await adminSql`
    select distinct usename from pg_stat_activity where usename = 'supabase_auth_admin'`
  assert.equal(sessions.length, 1, 'no connection from the auth server as supabase_auth_admin')
})

test('migrations and the seed were applied by the Supabase CLI, which keeps their history', async () => {
  const files = [...Deno.readDirSync('supabase/migrations')].map((e) => e.name)
    .filter((n) => n.endsWith('.sql')).sort()
  const history = await adminSql<{ version: string; name: string; statements: number }[]>`
    select version, name, cardinality(statements) as statements
    from supabase_migrations.schema_migrations order by version`
  assert.deepEqual(history.map((h) => `${h.version}_${h.name}.sql`), files)
  assert.ok(history.every((h) => h.statements > 0), 'the CLI records each statement it ran')
  const seeds = await adminSql`select path from supabase_migrations.seed_files`
  assert.deepEqual(seeds.map((r) => r.path), ['supabase/seed.sql'])
})
