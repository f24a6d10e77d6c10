/**
 * A connected source through the gateway: reading (members), settings and pause/resume
 * (admins), disconnecting with revocation at Google, and another organization's source
 * being 404 on every route.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { adminSql, call, test } from '../_helpers/stack.ts'
import { activeGa4Source, connect, team } from './_flow.ts'

const fakes = startStackFakes()

test("GET /sources lists the organization's sources to any member, without secrets", async () => {
  const { owner, viewer, outsider } = await team()
  const ga4 = await activeGa4Source(owner)
  const ig = await connect(owner, 'instagram')
  const res = await call('GET', '/sources', { token: viewer.token })
  assert.equal(res.status, 200, res.text)
  assert.deepEqual(res.body.sources.map((s: { id: string }) => s.id).sort(), [ga4, ig].sort())
  assert.ok(!/token|ciphertext|property_choices/.test(res.text))
  const theirs = await call('GET', '/sources', { token: outsider.token })
  assert.deepEqual(theirs.body.sources, [])
})

test('PATCH /sources/:id changes the schedule (admins), 400 naming a bad field', async () => {
  const { owner, admin, member } = await team()
  const id = await activeGa4Source(owner)
  const ok = await call('PATCH', `/sources/${id}`, {
    token: admin.token,
    body: { sync_interval_minutes: 60, lookback_days: 7, backfill_days: 365 },
  })
  assert.equal(ok.status, 200, ok.text)
  assert.equal(ok.body.sync_interval_minutes, 60)
  assert.equal(ok.body.lookback_days, 7)
  assert.equal(ok.body.backfill_days, 365)
  assert.ok(Date.parse(ok.body.next_sync_at) <= Date.now() + 61 * 60_000, 'brought forward')

  const byMember = await call('PATCH', `/sources/${id}`, {
    token: member.token,
    body: { lookback_days: 1 },
  })
  assert.equal(byMember.status, 403, byMember.text)

  for (
    const [body, field] of [
      [{ sync_interval_minutes: 5 }, 'body.sync_interval_minutes'],
      [{ lookback_days: 31 }, 'body.lookback_days'],
      [{ backfill_days: 0 }, 'body.backfill_days'],
      [{ backfill_days: 'many' }, 'body.backfill_days'],
      [{ status: 'active' }, 'body.status'],
      [{}, 'body'],
    ] as const
  ) {
    const res = await call('PATCH', `/sources/${id}`, { token: admin.token, body })
    assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`)
    assert.ok(res.body.error.message.includes(field), res.text)
  }
  const notUuid = await call('GET', '/sources/not-a-uuid', { token: admin.token })
  assert.equal(notUuid.status, 400)
  assert.match(notUuid.body.error.message, /id/)
})

test('pause and resume: admins only, and only between the states a user may choose', async () => {
  const { owner, admin, member } = await team()
  const id = await activeGa4Source(owner)
  const byMember = await call('POST', `/sources/${id}/pause`, { token: member.token })
  assert.equal(byMember.status, 403, byMember.text)

  const paused = await call('POST', `/sources/${id}/pause`, { token: admin.token })
  assert.equal(paused.status, 200, paused.text)
  assert.equal(paused.body.status, 'paused')
  const sync = await call('POST', `/sources/${id}/sync`, { token: member.token })
  assert.equal(sync.status, 409, 'a paused source does not sync')

  const resumed = await call('POST', `/sources/${id}/resume`, { token: admin.token })
  assert.equal(resumed.status, 200, resumed.text)
  assert.equal(resumed.body.status, 'active')
  assert.ok(Date.parse(resumed.body.next_sync_at) <= Date.now() + 1000, 'due at once')

  await adminSql`update public.data_sources set status = 'needs_reauth' where id = ${id}`
  const fromReauth = await call('POST', `/sources/${id}/resume`, { token: admin.token })
  assert.equal(fromReauth.status, 409, 'a source needing consent is not resumed by a click')
})

test('DELETE /sources/:id revokes at Google, deletes credentials; metrics stay unless asked', async () => {
  const { owner, admin, member, orgId } = await team()
  const kept = await activeGa4Source(owner)
  const dropped = await activeGa4Source(owner, 'properties/222222222')
  // Two GA4 sources of one organization: their rows are told apart by source (ga4:<id>).
  for (const [id, day] of [[kept, '2026-01-01'], [dropped, '2026-01-02']]) {
    const meta = adminSql.json({ source_id: id })
    await adminSql`
      insert into public.metrics (org_id, metric_name, metric_date, source, value, meta)
      values (${orgId}, 'ga4.sessions', ${day}, ${`ga4:${id}`}, 5, ${meta})`
  }
  const revokesBefore = fakes.google.server.requestsTo('revoke').length

  const byMember = await call('DELETE', `/sources/${kept}`, { token: member.token })
  assert.equal(byMember.status, 403, byMember.text)

  const res = await call('DELETE', `/sources/${kept}`, { token: admin.token })
  assert.equal(res.status, 204, res.text)
  const revokes = fakes.google.server.requestsTo('revoke')
  assert.equal(revokes.length, revokesBefore + 1)
  assert.match(revokes.at(-1)!.form?.get('token') ?? '', /^1\/\/fake-refresh-/)
  const [left] = await adminSql`
    select (select count(*)::int from public.data_sources where id = ${kept}) as sources,
           (select count(*)::int from private.source_credentials where source_id = ${kept}) as creds,
           (select count(*)::int from public.metrics where meta ->> 'source_id' = ${kept}) as metrics`
  assert.deepEqual({ ...left }, { sources: 0, creds: 0, metrics: 1 })

  const withMetrics = await call('DELETE', `/sources/${dropped}?delete_metrics=true`, {
    token: owner.token,
  })
  assert.equal(withMetrics.status, 204, withMetrics.text)
  const [{ count }] = await adminSql`
    select count(*)::int from public.metrics where org_id = ${orgId}`
  assert.equal(count, 1, "only the other source's metrics remain")

  const gone = await call('GET', `/sources/${kept}`, { token: owner.token })
  assert.equal(gone.status, 404)
  const badFlag = await call('DELETE', `/sources/${dropped}?delete_metrics=yes`, {
    token: owner.token,
  })
  assert.equal(badFlag.status, 400)
  assert.match(badFlag.body.error.message, /query\.delete_metrics/)
})

test("another organization's source is 404 on every route, and unchanged", async () => {
  const { owner, outsider } = await team()
  const id = await activeGa4Source(owner)
  const t = outsider.token
  const revokesBefore = fakes.google.server.requestsTo('revoke').length
  const attempts = [
    call('GET', `/sources/${id}`, { token: t }),
    call('PATCH', `/sources/${id}`, { token: t, body: { lookback_days: 1 } }),
    call('DELETE', `/sources/${id}`, { token: t }),
    call('POST', `/sources/${id}/pause`, { token: t }),
    call('POST', `/sources/${id}/resume`, { token: t }),
    call('POST', `/sources/${id}/sync`, { token: t }),
    call('GET', `/sources/${id}/runs`, { token: t }),
    call('GET', `/sources/${id}/properties`, { token: t }),
    call('POST', `/sources/${id}/property`, { token: t, body: { property_id: 'properties/1' } }),
  ]
  for (const res of await Promise.all(attempts)) {
    assert.equal(res.status, 404, res.text)
    assert.equal(res.body.error.code, 'not_found')
  }
  const [row] = await adminSql`
    select status, lookback_days, last_manual_sync_at from public.data_sources where id = ${id}`
  assert.deepEqual({ ...row }, { status: 'active', lookback_days: 3, last_manual_sync_at: null })
  assert.equal(fakes.google.server.requestsTo('revoke').length, revokesBefore, 'nothing revoked')
})

test('close the fake providers', () => fakes.close())
