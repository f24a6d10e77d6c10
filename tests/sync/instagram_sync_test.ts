/**
 * Instagram sources synced end to end through the gateway: a backfill over more than 30
 * days in windows the API accepts, numbers equal to the fake's, a token a week old
 * refreshed and stored before use, and an expired one setting needs_reauth.
 */
import assert from 'node:assert/strict'
import { addDays, dayIn } from '../../shared/providers/days.ts'
import { MAX_WINDOW_SECONDS } from '../../shared/providers/instagram/insights.ts'
import { test } from '../_helpers/stack.ts'
import { INSTAGRAM_TIME_ZONE } from '../fakes/instagram/mod.ts'
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
} from './fixtures.ts'

const fakes = startStackFakes()
const { instagram } = fakes
const DAY = 24 * 3_600_000

/** An active Instagram source whose long-lived token is `ageMs` old. */
async function instagramSource(ageMs: number) {
  const token = instagram.tokens.issue(instagram.account.userId, 'long', ageMs)
  const issuedAt = Date.now() - ageMs
  const fixture = await activeSource({
    provider: 'instagram',
    externalId: instagram.account.userId,
    credentials: {
      access_token: token,
      user_id: instagram.account.userId,
      issued_at: issuedAt,
      expires_at: issuedAt + 60 * DAY,
    },
  })
  await parkOtherSources(fixture.sourceId)
  return fixture
}

test('a 45-day backfill respects the 30-day window and stores what Instagram reported', async () => {
  const { sourceId } = await instagramSource(2 * DAY)
  const to = addDays(dayIn(INSTAGRAM_TIME_ZONE), -1)
  const from = addDays(to, -44)
  const calls = instagram.server.requestsTo('insights').length
  const settled = await runUntilSettled(await enqueue(sourceId, { from, to }))
  assert.equal(settled.status, 'succeeded', settled.last_error ?? '')

  const insights = instagram.server.requestsTo('insights').slice(calls)
  for (const call of insights) {
    const q = call.url.searchParams
    assert.ok(Number(q.get('until')) - Number(q.get('since')) <= MAX_WINDOW_SECONDS)
  }
  assert.equal(insights.filter((c) => !c.url.searchParams.has('metric_type')).length, 2)

  const rows = await metricsDump(sourceId)
  assert.equal(rows.length, 45 * 11)
  for (const row of rows) {
    const name = row.metric_name.replace(/^instagram\./, '')
    assert.equal(row.value, String(instagram.dailyValue(name, row.metric_date)), name)
    assert.equal(JSON.parse(row.meta).source_id, sourceId)
  }
  assert.equal(instagram.server.requestsTo('refresh').length, 0, 'a 2-day-old token is kept')
})

test('a week-old token is refreshed and stored sealed before the insights are read', async () => {
  const { sourceId } = await instagramSource(8 * DAY)
  const before = await storedCredentials<{ access_token: string }>(sourceId)
  const to = addDays(dayIn(INSTAGRAM_TIME_ZONE), -1)
  const settled = await runUntilSettled(await enqueue(sourceId, { from: addDays(to, -1), to }))
  assert.equal(settled.status, 'succeeded', settled.last_error ?? '')
  const after = await storedCredentials<{ access_token: string; issued_at: number }>(sourceId)
  assert.notEqual(after.opened.access_token, before.opened.access_token)
  assert.ok(Date.now() - after.opened.issued_at < 60_000)
  const [last] = instagram.server.requestsTo('insights').slice(-1)
  assert.equal(last.headers.get('authorization'), `Bearer ${after.opened.access_token}`)
})

test('a token that can no longer be refreshed sets needs_reauth without retrying', async () => {
  const { sourceId } = await instagramSource(61 * DAY)
  const to = addDays(dayIn(INSTAGRAM_TIME_ZONE), -1)
  const settled = await runUntilSettled(await enqueue(sourceId, { from: addDays(to, -1), to }))
  assert.equal(settled.status, 'failed')
  assert.equal(settled.attempt, 1)
  const source = await sourceRow(sourceId)
  assert.equal(source.status, 'needs_reauth')
  assert.match(source.last_error ?? '', /expired/)
  assert.deepEqual((await runsOf(sourceId)).map((r) => r.status), ['needs_reauth'])
})

test('a revoked token (code 190) sets needs_reauth', async () => {
  const { sourceId } = await instagramSource(2 * DAY)
  instagram.tokens.revokeUser(instagram.account.userId)
  const to = addDays(dayIn(INSTAGRAM_TIME_ZONE), -1)
  const settled = await runUntilSettled(await enqueue(sourceId, { from: addDays(to, -1), to }))
  assert.equal(settled.status, 'failed')
  assert.equal((await sourceRow(sourceId)).status, 'needs_reauth')
})

test('close the fakes', () => fakes.close())
