/**
 * GA4 sources synced end to end: the worker behind the gateway, the real client libraries,
 * the fake Google on the port the gateway was given. Backfilled numbers equal the fake's,
 * a second run changes nothing, a refreshed token is stored sealed, 429 is retried with
 * backoff, invalid_grant asks for a new login at once, and low quota defers the next run.
 */
import assert from 'node:assert/strict'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { startStackFakes } from '../fakes/on_stack.ts'
import {
  activeSource,
  enqueue,
  metricsDump,
  parkOtherSources,
  runsOf,
  runUntilSettled,
  sourceRow,
  storedCredentials,
  utcDay,
} from './fixtures.ts'

const fakes = startStackFakes()
const { google } = fakes
const PROPERTY = google.properties[0].id

/** An active GA4 source whose stored access token has expired. */
async function ga4Source() {
  const issued = google.tokens.issue()
  google.tokens.expireAccessTokens()
  const fixture = await activeSource({
    provider: 'ga4',
    externalId: `properties/${PROPERTY}`,
    credentials: {
      refresh_token: issued.refresh_token,
      access_token: issued.access_token,
      expiry_date: Date.now() - 60_000,
    },
  })
  await parkOtherSources(fixture.sourceId)
  return fixture
}

test('a backfill stores what GA4 reported, re-running leaves metrics byte for byte the same', async () => {
  const { sourceId, orgId, owner } = await ga4Source()
  const from = utcDay(-30)
  const to = utcDay(-1)
  const first = await runUntilSettled(await enqueue(sourceId, { from, to }))
  assert.equal(first.status, 'succeeded', first.last_error ?? '')

  const rows = await metricsDump(sourceId)
  // 9 day totals + 6 channels × 2, for 30 days.
  assert.equal(rows.length, 30 * (9 + 12))
  for (const row of rows) {
    const name = row.metric_name.replace(/^ga4\./, '').replace(/ByChannel$/, '')
    const channel = row.dimension ? row.dimension.replace(/^channel:/, '') : undefined
    const reported = google.metric(PROPERTY, row.metric_date, name, channel)
    assert.equal(Number(row.value), Number(reported), `${name} ${row.metric_date} ${row.dimension}`)
    assert.equal(JSON.parse(row.meta).source_id, sourceId)
  }
  const rate = rows.find((r) => r.metric_name === 'ga4.engagementRate')!
  assert.equal(rate.value, google.metric(PROPERTY, rate.metric_date, 'engagementRate'))
  assert.deepEqual(JSON.parse(rate.meta), {
    source_id: sourceId,
    aggregation: 'ratio',
    numerator: 'ga4.engagedSessions',
    denominator: 'ga4.sessions',
  })

  const [run] = await runsOf(sourceId)
  assert.equal(run.status, 'succeeded')
  assert.equal(run.rows_written, rows.length)
  assert.deepEqual([run.from_date, run.to_date], [from, to])
  assert.ok(run.quota?.tokensPerHour.remaining)
  const synced = await sourceRow(sourceId)
  assert.equal(synced.status, 'active')
  assert.ok(synced.last_synced_at)

  const again = await runUntilSettled(await enqueue(sourceId, { kind: 'manual', from, to }))
  assert.equal(again.status, 'succeeded')
  assert.deepEqual(await metricsDump(sourceId), rows, 'updated_at included')
  assert.equal((await runsOf(sourceId))[1].rows_written, 0)

  // A revised day is rewritten, and only its rows.
  google.revise(PROPERTY, utcDay(-2))
  await runUntilSettled(await enqueue(sourceId, { kind: 'manual', from, to }))
  const revised = await metricsDump(sourceId)
  const changed = revised.filter((r, i) => r.updated_at !== rows[i].updated_at)
  assert.ok(changed.length > 0)
  assert.ok(changed.every((r) => r.metric_date === utcDay(-2)))

  // Members see the synced numbers like any others (RLS on metrics, their active org).
  const listed = await call('GET', '/metrics', { token: owner.token })
  assert.equal(listed.status, 200, listed.text)
  const sessions = listed.body.metrics.find((m: { metric_name: string }) =>
    m.metric_name === 'ga4.sessions'
  )
  assert.deepEqual(sessions, {
    metric_name: 'ga4.sessions',
    first_date: from,
    last_date: to,
    rows: 30,
    sources: [`ga4:${sourceId}`],
  })
  assert.ok(orgId)
})

test('a refreshed access token is stored at once, sealed, and the refresh token kept', async () => {
  const { sourceId } = await ga4Source()
  const before = await storedCredentials<{ access_token: string; refresh_token: string }>(sourceId)
  const settled = await runUntilSettled(
    await enqueue(sourceId, { from: utcDay(-3), to: utcDay(-1) }),
  )
  assert.equal(settled.status, 'succeeded')
  const after = await storedCredentials<
    { access_token: string; refresh_token: string; expiry_date: number }
  >(sourceId)
  assert.notDeepEqual(after.sealed.ciphertext, before.sealed.ciphertext)
  assert.notEqual(after.opened.access_token, before.opened.access_token)
  assert.equal(after.opened.refresh_token, before.opened.refresh_token)
  assert.ok(after.opened.expiry_date > Date.now())
  assert.ok(google.tokens.isLive(`Bearer ${after.opened.access_token}`))
  // The ciphertext holds no token in clear.
  const clear = new TextDecoder().decode(after.sealed.ciphertext)
  assert.ok(!clear.includes(after.opened.access_token))
})

test('a 429 is retried with backoff, then succeeds on the next attempt', async () => {
  const { sourceId } = await ga4Source()
  google.failNext('runReport', { status: 429, retryAfter: 30 })
  const id = await enqueue(sourceId, { from: utcDay(-3), to: utcDay(-1) })
  const queuedAt = Date.now()
  const retrying = await runUntilSettled(id)
  assert.equal(retrying.status, 'queued')
  assert.equal(retrying.attempt, 1)
  // First retry after 15–30 s (equal jitter on 30 s).
  const wait = retrying.run_after.getTime() - queuedAt
  assert.ok(wait >= 14_000 && wait <= 40_000, `retry in ${wait} ms`)
  assert.match(retrying.last_error ?? '', /429/)
  assert.equal((await sourceRow(sourceId)).status, 'active')

  // Time passes: the job is due again.
  await adminSql`update private.sync_jobs set run_after = now() where id = ${id}`
  const done = await runUntilSettled(id)
  assert.equal(done.status, 'succeeded')
  assert.equal(done.attempt, 2)
  const runs = await runsOf(sourceId)
  assert.deepEqual(runs.map((r) => [r.attempt, r.status]), [[1, 'retrying'], [2, 'succeeded']])
  assert.match(runs[0].error ?? '', /429/)
})

test('invalid_grant sets needs_reauth at once, with no retry', async () => {
  const { sourceId } = await ga4Source()
  google.failTokenWith('invalid_grant', 'Token has been expired or revoked.')
  const tokenCalls = google.server.requestsTo('token').length
  const settled = await runUntilSettled(
    await enqueue(sourceId, { from: utcDay(-3), to: utcDay(-1) }),
  )
  assert.equal(settled.status, 'failed')
  assert.equal(settled.attempt, 1)
  const source = await sourceRow(sourceId)
  assert.equal(source.status, 'needs_reauth')
  assert.match(source.last_error ?? '', /invalid_grant/)
  assert.deepEqual((await runsOf(sourceId)).map((r) => r.status), ['needs_reauth'])
  assert.equal(google.server.requestsTo('token').length, tokenCalls + 1, 'one refresh, no retry')
})

test('retries stop after max_attempts and the source goes to error with the reason', async () => {
  const { sourceId } = await ga4Source()
  const id = await enqueue(sourceId, { from: utcDay(-3), to: utcDay(-1) })
  await adminSql`update private.sync_jobs set max_attempts = 2 where id = ${id}`
  google.failNext('runReport', { status: 500 }, 2)
  await runUntilSettled(id)
  await adminSql`update private.sync_jobs set run_after = now() where id = ${id}`
  const failed = await runUntilSettled(id)
  assert.equal(failed.status, 'failed')
  assert.equal(failed.attempt, 2)
  const source = await sourceRow(sourceId)
  assert.equal(source.status, 'error')
  assert.match(source.last_error ?? '', /GA4 500/)
  assert.deepEqual((await runsOf(sourceId)).map((r) => r.status), ['retrying', 'failed'])
})

test('low quota pushes the next scheduled sync back and is recorded on the run', async () => {
  const { sourceId } = await ga4Source()
  google.setQuota(PROPERTY, { tokensPerHour: 2000 })
  await adminSql`update public.data_sources set next_sync_at = now() + interval '10 minutes'
                 where id = ${sourceId}`
  try {
    const settled = await runUntilSettled(
      await enqueue(sourceId, { from: utcDay(-3), to: utcDay(-1) }),
    )
    assert.equal(settled.status, 'succeeded')
    const [run] = await runsOf(sourceId)
    assert.ok(run.quota!.tokensPerHour.remaining < 2000)
    const next = (await sourceRow(sourceId)).next_sync_at!.getTime()
    assert.ok(next >= Date.now() + 55 * 60_000, 'an hour at least')
  } finally {
    google.setQuota(PROPERTY, { tokensPerHour: 40_000 })
  }
})

test('close the fakes', () => fakes.close())
