/**
 * The demo data of supabase/seed.sql (which scripts/test loads into the test stack) and
 * the large generator, scripts/seed-large.ts, run small against the test database.
 */
import assert from 'node:assert/strict'
import { adminSql, anonClient, call, stack, test } from '../_helpers/stack.ts'
import { BENCH_EMAIL, BENCH_PASSWORD, BENCH_SLUG, OTHER_SLUG } from '../../scripts/seed-large.ts'

const DEMO_ORG = '0a0a0a0a-0000-4000-8000-000000000001'
const OTHER_ORG = '0b0b0b0b-0000-4000-8000-000000000002'
const PASSWORD = 'lytics-demo-2026'

async function signIn(email: string, password: string): Promise<string> {
  const { data, error } = await anonClient().auth.signInWithPassword({ email, password })
  if (error || !data.session) throw new Error(`sign-in as ${email} failed: ${error?.message}`)
  return data.session.access_token
}

async function orgSlugs(token: string): Promise<string[]> {
  const res = await call('GET', '/orgs', { token })
  assert.equal(res.status, 200, res.text)
  return res.body.organizations.map((o: { slug: string }) => o.slug).sort()
}

test('the demo user signs in and sees the demo organization, and only it', async () => {
  const token = await signIn('demo@lytics.dev', PASSWORD)
  const res = await call('GET', '/orgs', { token })
  assert.equal(res.status, 200, res.text)
  const [org, ...others] = res.body.organizations
  assert.equal(others.length, 0)
  assert.equal(org.id, DEMO_ORG)
  assert.equal(org.slug, 'demo')
  assert.equal(org.timezone, 'Europe/Berlin')

  const other = await signIn('other@lytics.dev', PASSWORD)
  assert.deepEqual(await orgSlugs(other), ['other-shop'])
})

test('the demo organization has 90 days of metrics ending today', async () => {
  const rows = await adminSql`
    select source, count(*)::int as rows, count(distinct metric_date)::int as days,
           min(metric_date)::text as first, max(metric_date)::text as last,
           array_agg(distinct metric_name order by metric_name) as names,
           array_agg(distinct dimension order by dimension) as dimensions,
           ((now() at time zone 'Europe/Berlin')::date)::text as today,
           ((now() at time zone 'Europe/Berlin')::date - 89)::text as start
    from public.metrics where org_id = ${DEMO_ORG}
    group by source order by source`
  assert.deepEqual(rows.map((r) => r.source), ['ga4', 'instagram'])
  const [ga4, instagram] = rows
  for (const r of rows) {
    assert.equal(r.days, 90)
    assert.equal(r.first, r.start)
    assert.equal(r.last, r.today)
  }
  assert.deepEqual(ga4.names, ['activeUsers', 'keyEvents', 'screenPageViews', 'sessions'])
  // Channels only: a '' total beside them would be summed twice.
  assert.deepEqual(ga4.dimensions, ['direct', 'email', 'organic', 'referral', 'social'])
  assert.equal(ga4.rows, 90 * 4 * 5)
  assert.deepEqual(instagram.names, [
    'accounts_engaged',
    'follower_count',
    'reach',
    'total_interactions',
    'views',
  ])
  assert.deepEqual(instagram.dimensions, [''])
})

test('the demo events span 90 days, are rolled up, and retention decays', async () => {
  const [events] = await adminSql`
    select count(*)::int as total, count(distinct actor_id)::int as actors,
           count(distinct (occurred_at at time zone 'Europe/Berlin')::date)::int as days,
           count(*) filter (where name = 'signup')::int as signups,
           count(*) filter (where occurred_at > now())::int as future,
           (select sum(events)::int from public.event_counts where org_id = ${DEMO_ORG}) as rolled,
           (select count(*)::int from public.event_actors where org_id = ${DEMO_ORG}) as known
    from public.events where org_id = ${DEMO_ORG}`
  assert.ok(events.total > 10_000 && events.total < 40_000, `${events.total} events`)
  assert.ok(events.actors >= 500 && events.actors <= 600, `${events.actors} actors`)
  assert.equal(events.signups, events.actors)
  assert.ok(events.days >= 89, `${events.days} days with events`)
  assert.equal(events.future, 0)
  assert.equal(events.rolled, events.total)
  assert.equal(events.known, events.actors)

  const token = await signIn('demo@lytics.dev', PASSWORD)
  const res = await call('GET', '/dashboard/retention?cohort=week&cohorts=8', { token })
  assert.equal(res.status, 200, res.text)
  const mean = (period: number) => {
    const shares = res.body.cohorts
      .map((c: { matrix: { share: number | null }[] }) => c.matrix[period]?.share)
      .filter((s: number | null | undefined) => typeof s === 'number')
    return shares.reduce((a: number, b: number) => a + b, 0) / shares.length
  }
  assert.equal(mean(0), 1)
  assert.ok(mean(1) > mean(4) && mean(4) > 0.05, `week 1 ${mean(1)}, week 4 ${mean(4)}`)
})

test("the other organization's data is its own", async () => {
  const [leak] = await adminSql`
    select count(*)::int as n from public.events
    where org_id = ${DEMO_ORG} and name in ('cart_viewed', 'checkout_completed')`
  assert.equal(leak.n, 0)
  const token = await signIn('demo@lytics.dev', PASSWORD)
  const res = await call('GET', `/orgs/${OTHER_ORG}`, { token })
  assert.equal(res.status, 404, res.text)
})

async function seedLarge(...args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ['run', '--allow-all', 'scripts/seed-large.ts', '--db', stack.dbUrl, ...args],
    stdout: 'piped',
    stderr: 'piped',
  }).output()
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr)
  assert.equal(out.code, 0, text)
  return text
}

async function benchCounts() {
  const [row] = await adminSql`
    select o.id,
      (select count(*)::int from public.events e where e.org_id = o.id) as events,
      (select sum(c.events)::int from public.event_counts c where c.org_id = o.id) as rolled,
      (select count(*)::int from public.metrics m where m.org_id = o.id) as metrics,
      (select count(*)::int from public.event_actors a where a.org_id = o.id) as actors
    from public.organizations o where o.slug = ${BENCH_SLUG}`
  return row
}

test('seed:large makes exactly the requested rows, reuses them, and regenerates', async () => {
  const first = await seedLarge('--events', '20000', '--metrics', '5000', '--chunk', '7000')
  assert.match(first, /events: 20,000 rows in [\d.]+ s = [\d,]+ rows\/s/)
  const made = await benchCounts()
  assert.deepEqual(
    { events: made.events, rolled: made.rolled, metrics: made.metrics },
    { events: 20_000, rolled: 20_000, metrics: 5_000 },
  )
  assert.ok(made.actors > 20, `${made.actors} actors`)

  assert.match(await seedLarge('--events', '20000', '--metrics', '5000'), /reusing/)
  assert.equal((await benchCounts()).id, made.id)

  await seedLarge('--events', '12345', '--metrics', '1234')
  const again = await benchCounts()
  assert.deepEqual(
    { id: again.id, events: again.events, rolled: again.rolled, metrics: again.metrics },
    { id: made.id, events: 12_345, rolled: 12_345, metrics: 1_234 },
  )

  // The bench user signs in, sees only their organization, and its dashboard has data
  // (the smallest metric catalog starts with Instagram's reach).
  const token = await signIn(BENCH_EMAIL, BENCH_PASSWORD)
  assert.deepEqual(await orgSlugs(token), [BENCH_SLUG])
  const tiles = await call('GET', '/dashboard/tiles?series=events,metric:reach&range=28d', {
    token,
  })
  assert.equal(tiles.status, 200, tiles.text)
  for (const tile of tiles.body.tiles) assert.ok(tile.value > 0, JSON.stringify(tile))

  const [other] = await adminSql`
    select (select count(*)::int from public.events e where e.org_id = o.id) as events,
           (select count(*)::int from public.memberships m join auth.users u on u.id = m.user_id
            where m.org_id = o.id and u.email = ${BENCH_EMAIL}) as bench_member
    from public.organizations o where o.slug = ${OTHER_SLUG}`
  assert.ok(other.events > 0)
  assert.equal(other.bench_member, 0)
})
