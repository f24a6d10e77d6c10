/**
 * Loads a benchmark-sized organization: `deno task seed:large -- --events 10000000
 * --metrics 1000000` (`--help` lists the options).
 *
 * It creates (or reuses) the user bench@lytics.dev, their organization `bench` holding
 * exactly the requested number of events and metric rows, and a second organization with
 * a little data of its own (whose user the bench user is not), so RLS has something to
 * filter. Rows are generated server-side, `insert ... select from generate_series` in
 * chunks, so the rollup trigger runs once per chunk as it does for an ingestion batch.
 * A re-run with the same counts reuses the data; other counts (or --force) regenerate it.
 */
import postgres from 'postgres'
import { commandLine } from './cli.ts'
import {
  chunks,
  type DayShare,
  eventsPlan,
  metricsPlan,
  type SeriesPlan,
  TIMEZONE,
} from './seed-large/plan.ts'

export const BENCH_EMAIL = 'bench@lytics.dev'
export const BENCH_PASSWORD = 'lytics-bench-2026'
export const BENCH_SLUG = 'bench'
export const OTHER_SLUG = 'bench-other'
export const OTHER_EMAIL = 'bench-other@lytics.dev'
export const DEV_DB_URL = 'postgresql://postgres:postgres@127.0.0.1:54322/postgres'

/** What seedLarge makes. */
export type SeedOptions = {
  events: number
  metrics: number
  /** Rows per insert statement. */
  chunk?: number
  /** Days the events are spread over, ending now. */
  days?: number
  /** Regenerate even when the counts already match. */
  force?: boolean
  log?: (line: string) => void
}

/** The outcome of seedLarge, with the measured throughput. */
export type SeedResult = {
  orgId: string
  userId: string
  reused: boolean
  eventsSeconds: number
  metricsSeconds: number
}

/**
 * Fills the bench organization through `sql` (a connection as postgres, which bypasses RLS).
 *
 * @example
 * const sql = postgres(url)
 * await seedLarge(sql, { events: 20_000, metrics: 5_000 })
 */
export async function seedLarge(sql: postgres.Sql, options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? console.log
  const chunk = options.chunk ?? 500_000
  const days = options.days ?? 365
  const userId = await ensureUser(sql, BENCH_EMAIL, 'Bench User')
  const orgId = await ensureOrg(sql, BENCH_SLUG, 'Bench Inc.', userId)

  const [have] = await sql<{ events: bigint; metrics: bigint }[]>`
    select (select count(*) from public.events where org_id = ${orgId}) as events,
           (select count(*) from public.metrics where org_id = ${orgId}) as metrics`
  if (
    !options.force && Number(have.events) === options.events &&
    Number(have.metrics) === options.metrics
  ) {
    log(
      `bench organization already holds ${fmt(options.events)} events and ` +
        `${fmt(options.metrics)} metric rows: reusing it (--force regenerates)`,
    )
    return { orgId, userId, reused: true, eventsSeconds: 0, metricsSeconds: 0 }
  }
  if (Number(have.events) + Number(have.metrics) > 0) {
    log(
      `removing the bench organization's ${fmt(Number(have.events))} events and ` +
        `${fmt(Number(have.metrics))} metric rows`,
    )
    await clearOrg(sql, orgId)
  }

  const started = performance.now()
  const actors = Math.min(50_000, Math.max(50, Math.round(options.events / 500)))
  await insertEvents(sql, orgId, eventsPlan(options.events, days, actors), chunk, 'ev', log)
  const eventsSeconds = (performance.now() - started) / 1000
  log(
    `events: ${fmt(options.events)} rows in ${eventsSeconds.toFixed(1)} s = ` +
      `${fmt(Math.round(options.events / eventsSeconds))} rows/s (rollups included)`,
  )

  const metricsStarted = performance.now()
  await insertMetrics(sql, orgId, metricsPlan(options.metrics, 3 * 365 + 1), chunk, log)
  const metricsSeconds = (performance.now() - metricsStarted) / 1000
  log(
    `metrics: ${fmt(options.metrics)} rows in ${metricsSeconds.toFixed(1)} s = ` +
      `${fmt(Math.round(options.metrics / Math.max(metricsSeconds, 0.001)))} rows/s`,
  )

  await seedOtherOrg(sql, options, log)

  // VACUUM, not only ANALYZE: index-only scans on the rollups need the visibility map
  // set, which fresh pages lack until autovacuum would otherwise run mid-benchmark.
  const vacuumStarted = performance.now()
  for (const table of ORG_TABLES) await sql.unsafe(`vacuum (analyze) ${table}`)
  log(`vacuum analyze: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`)
  return { orgId, userId, reused: false, eventsSeconds, metricsSeconds }
}

async function ensureUser(sql: postgres.Sql, email: string, name: string): Promise<string> {
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
      email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
      confirmation_token, recovery_token, email_change_token_new, email_change)
    values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
      'authenticated', ${email}, extensions.crypt(${BENCH_PASSWORD}, extensions.gen_salt('bf', 10)),
      now(), '{"provider":"email","providers":["email"]}', ${sql.json({ display_name: name })},
      now(), now(), '', '', '', '')
    on conflict do nothing`
  const [user] = await sql<{ id: string }[]>`
    select id from auth.users where lower(email) = ${email}`
  await sql`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at)
    values (${user.id}, ${user.id},
      ${sql.json({ sub: user.id, email, email_verified: true })}, 'email', now())
    on conflict do nothing`
  return user.id
}

// The owner's default organization, so the dashboard (which acts on it) shows this one.
async function ensureOrg(sql: postgres.Sql, slug: string, name: string, owner: string) {
  await sql`
    insert into public.organizations (name, slug, timezone, created_by)
    values (${name}, ${slug}, ${TIMEZONE}, ${owner})
    on conflict (slug) do nothing`
  const [org] = await sql<{ id: string }[]>`
    select id from public.organizations where slug = ${slug}`
  await sql`
    insert into public.memberships (org_id, user_id, role) values (${org.id}, ${owner}, 'owner')
    on conflict do nothing`
  await sql`update public.profiles set default_organization_id = ${org.id} where id = ${owner}`
  return org.id
}

// Every table the rollup triggers add to, with the events and metrics.
const ORG_TABLES = [
  'public.events',
  'public.event_counts',
  'public.event_actor_days',
  'public.event_actors',
  'public.event_property_sets',
  'public.event_property_days',
  'public.active_actor_gaps',
  'private.active_actor_days',
  'public.metrics',
]

// The rollup triggers only ever add, so the rollups go together with the events.
async function clearOrg(sql: postgres.Sql, orgId: string): Promise<void> {
  await sql.begin(async (tx) => {
    for (const table of ORG_TABLES) {
      await tx.unsafe(`delete from ${table} where org_id = $1`, [orgId])
    }
  })
}

async function seedOtherOrg(sql: postgres.Sql, options: SeedOptions, log: (l: string) => void) {
  const owner = await ensureUser(sql, OTHER_EMAIL, 'Other Bench User')
  const orgId = await ensureOrg(sql, OTHER_SLUG, 'Other Bench Co.', owner)
  const events = Math.min(100_000, Math.max(1_000, Math.round(options.events / 100)))
  const metrics = Math.min(20_000, Math.max(500, Math.round(options.metrics / 50)))
  await clearOrg(sql, orgId)
  await insertEvents(sql, orgId, eventsPlan(events, 90, 200), events, 'other', () => {})
  await insertMetrics(sql, orgId, metricsPlan(metrics, 365), metrics, () => {})
  log(`second organization '${OTHER_SLUG}': ${fmt(events)} events, ${fmt(metrics)} metric rows`)
}

// Most frequent first: the generator skews its picks toward the start of the list.
const EVENT_NAMES = (
  'page_view session_start login dashboard_viewed search_performed filter_applied ' +
  'report_viewed chart_created signup project_created report_exported invite_sent ' +
  'comment_added notification_opened onboarding_step integration_synced file_uploaded ' +
  'settings_updated chart_shared invite_accepted dashboard_created integration_connected ' +
  'logout api_key_created payment_succeeded feedback_submitted plan_upgraded ' +
  'project_deleted payment_failed plan_downgraded'
).split(' ')

// A fixed menu of property objects, picked per event, so no JSON is built per row.
const PROPERTIES = Array.from({ length: 64 }, (_, i) => ({
  plan: ['free', 'free', 'pro', 'team'][i % 4],
  country: ['DE', 'US', 'GB', 'FR', 'NL', 'AT', 'CH', 'ES', 'SE', 'PL', 'IT', 'BR'][(i * 7) % 12],
  path: ['/dashboard', '/reports', '/projects', '/settings', '/billing', '/docs', '/', '/pricing'][
    (i * 5) % 8
  ],
  app_version: `3.${i % 6}.${(i * 3) % 10}`,
}))

async function insertEvents(
  sql: postgres.Sql,
  orgId: string,
  plan: DayShare[],
  chunk: number,
  prefix: string,
  log: (line: string) => void,
): Promise<void> {
  const total = plan.reduce((n, d) => n + d.count, 0)
  let done = 0
  for (const part of chunks(plan, chunk)) {
    const rows = part.reduce((n, d) => n + d.count, 0)
    const started = performance.now()
    // Within a day, times follow (i - 1 + random()) / n so rows arrive in time order (the
    // time indexes grow at one end); the sine warp makes nights quiet and afternoons busy.
    // Actors are numbered in sign-up order; `pool` have signed up by that day, and the
    // cube biases picks toward recent sign-ups, which is what makes retention decay.
    await sql`
      insert into public.events
        (org_id, id, occurred_at, name, actor_id, session_id, properties, received_at)
      select ${orgId}, e.id, e.at, e.name, e.actor, 'ss_' || e.actor || '_' || e.day, e.props,
             e.at + interval '2 seconds'
      from (
        select ${prefix} || '_' || lpad((d.base + i)::text, 10, '0') as id, d.day,
               (d.day::timestamp + make_interval(secs => d.span * (t.f + 0.6 * sin(2 * pi() * t.f)
                 / (2 * pi())))) at time zone ${TIMEZONE} as at,
               case when r.name < 0.45 then 'page_view'
                    else (${EVENT_NAMES}::text[])
                         [2 + floor(${
      EVENT_NAMES.length - 1
    }::int * ((r.name - 0.45) / 0.55) ^ 2)::int]
               end as name,
               case when r.anon < 0.08 then null
                    else 'u_' || (d.pool - 1 - floor(d.pool * r.actor ^ 3)::int) end as actor,
               props.list[1 + floor(${PROPERTIES.length}::int * r.props)::int] as props
        from unnest(${part.map((d) => d.day)}::date[], ${part.map((d) => d.count)}::int[],
                    ${part.map((d) => d.base)}::bigint[], ${part.map((d) => d.pool)}::int[],
                    ${part.map((d) => d.span)}::float8[])
               as d (day, n, base, pool, span)
        cross join lateral generate_series(1, d.n) as i
        cross join lateral (select (i - 1 + random()) / d.n as f) as t
        cross join lateral (
          select random() as name, random() as anon, random() as actor, random() as props
          where i is not null -- correlated, so it is evaluated for every row
        ) as r
        cross join (
          select array_agg(p) as list from jsonb_array_elements(${sql.json(PROPERTIES)}) as p
        ) as props
      ) as e`
    done += rows
    const seconds = (performance.now() - started) / 1000
    log(
      `events ${fmt(done).padStart(12)} / ${fmt(total)}  ` +
        `(${fmt(rows)} in ${seconds.toFixed(1)} s = ${fmt(Math.round(rows / seconds))} rows/s)`,
    )
  }
}

async function insertMetrics(
  sql: postgres.Sql,
  orgId: string,
  plan: SeriesPlan[],
  chunk: number,
  log: (line: string) => void,
): Promise<void> {
  const total = plan.reduce((n, s) => n + s.days, 0)
  let done = 0
  for (const part of chunks(plan.map((s) => ({ ...s, count: s.days })), chunk)) {
    const rows = part.reduce((n, s) => n + s.days, 0)
    // Weekday rhythm, a trend growing toward today, and ±10% noise per day.
    await sql`
      insert into public.metrics (org_id, metric_name, metric_date, source, dimension, value)
      select ${orgId}, s.metric, day, s.source, s.dimension,
             round((s.base * (0.5 + 0.5 * (s.days - k) / s.days)
               * (array[1.0, 1.05, 1.04, 1.01, 0.93, 0.68, 0.72])[extract(isodow from day)]
               * (0.9 + 0.2 * random()))::numeric, s.decimals)
      from unnest(${part.map((s) => s.source)}::text[], ${part.map((s) => s.metric)}::text[],
                  ${part.map((s) => s.dimension)}::text[], ${part.map((s) => s.base)}::float8[],
                  ${part.map((s) => s.decimals)}::int[], ${part.map((s) => s.days)}::int[])
             as s (source, metric, dimension, base, decimals, days)
      cross join lateral generate_series(0, s.days - 1) as k
      cross join lateral (
        select ((now() at time zone ${TIMEZONE})::date - k) as day
      ) as d`
    done += rows
    log(`metrics ${fmt(done).padStart(11)} / ${fmt(total)}`)
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US')
}

const cli = commandLine(
  `usage: deno task seed:large -- [options]

Fills the bench organization (user ${BENCH_EMAIL}) with generated events and metric rows.

  --events N       events (default 10000000)
  --metrics N      metric rows (default 1000000)
  --db URL         the database, as postgres (default $LYTICS_DB_URL or ${DEV_DB_URL})
  --chunk ROWS     rows per insert statement (default 500000)
  --days N         days the events are spread over, ending now (default 365)
  --force          regenerate even when the counts already match
  -h, --help       this text`,
  {
    events: { type: 'string', default: '10000000' },
    metrics: { type: 'string', default: '1000000' },
    db: { type: 'string', default: Deno.env.get('LYTICS_DB_URL') ?? DEV_DB_URL },
    chunk: { type: 'string', default: '500000' },
    days: { type: 'string', default: '365' },
    force: { type: 'boolean', default: false },
  } as const,
)

if (import.meta.main) {
  const values = cli.parse()
  const options = {
    events: cli.wholeNumber('events', values.events),
    metrics: cli.wholeNumber('metrics', values.metrics),
    chunk: cli.wholeNumber('chunk', values.chunk, { min: 1 }),
    days: cli.wholeNumber('days', values.days, { min: 1 }),
    force: values.force,
  }
  const sql = postgres(values.db, {
    max: 1,
    onnotice: () => {},
    // Big hash aggregates in the rollup trigger stay in memory; commits need not wait
    // for the disk (a crash loses only a chunk, which a re-run regenerates).
    connection: {
      application_name: 'lytics-seed-large',
      work_mem: '256MB',
      maintenance_work_mem: '1GB',
      synchronous_commit: 'off',
    },
  })
  try {
    const started = performance.now()
    const result = await seedLarge(sql, options)
    console.log(
      `\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s. ` +
        `Sign in as ${BENCH_EMAIL} / ${BENCH_PASSWORD} (organization '${BENCH_SLUG}', ` +
        `${result.orgId}).`,
    )
  } finally {
    await sql.end({ timeout: 5 })
  }
}
