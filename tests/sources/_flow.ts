/**
 * What the sources tests share: a team in one organization (owner, admin, member, viewer)
 * plus an outsider with an organization of their own, and the browser's side of a consent
 * flow (follow the provider's redirect back to the callback, then read where the callback
 * sends the browser), against the fakes that scripts/test pointed the gateway at.
 */
import assert from 'node:assert/strict'
import { adminSql, call, newUser, type TestUser, uniqueSlug } from '../_helpers/stack.ts'

/** Where the tests' app lives: the first of the OAUTH_REDIRECT_ORIGINS scripts/test sets. */
export const APP_ORIGIN = 'http://app.lytics.test'

export type Team = {
  orgId: string
  owner: TestUser
  admin: TestUser
  member: TestUser
  viewer: TestUser
  outsider: TestUser
}

async function createOrg(owner: TestUser): Promise<string> {
  const res = await call('POST', '/orgs', {
    token: owner.token,
    body: { name: 'Sources Test', slug: uniqueSlug('src') },
  })
  assert.equal(res.status, 201, res.text)
  return res.body.id
}

/** A fresh organization with one user per role, and an outsider owning another one. */
export async function team(): Promise<Team> {
  const [owner, admin, member, viewer, outsider] = await Promise.all(
    ['owner', 'admin', 'member', 'viewer', 'outsider'].map((l) => newUser(l)),
  )
  const orgId = await createOrg(owner)
  await createOrg(outsider)
  for (const [user, role] of [[admin, 'admin'], [member, 'member'], [viewer, 'viewer']] as const) {
    await adminSql`
      insert into public.memberships (org_id, user_id, role)
      values (${orgId}, ${user.id}, ${role}::public.org_role)`
  }
  return { orgId, owner, admin, member, viewer, outsider }
}

/** A GET that does not follow redirects: status, Location and body. */
export async function visit(url: string) {
  const res = await fetch(url, { redirect: 'manual' })
  const text = await res.text()
  return { status: res.status, location: res.headers.get('location'), text }
}

/** Opens a consent URL at the fake provider and returns the callback URL it redirects to. */
export async function consent(url: string): Promise<string> {
  const res = await visit(url)
  assert.equal(res.status, 302, res.text)
  return res.location!
}

/** Starts connecting `provider` as `user`; returns the consent URL. */
export async function startConnect(
  user: TestUser,
  provider: 'ga4' | 'instagram',
  body: Record<string, unknown> = {},
): Promise<string> {
  const res = await call('POST', `/sources/${provider}/connect`, { token: user.token, body })
  assert.equal(res.status, 200, res.text)
  return res.body.url
}

/** The query of where the callback sent the browser, which must be on the app's origin. */
export function backAtApp(location: string | null, origin = APP_ORIGIN): URLSearchParams {
  assert.ok(location, 'the callback redirects')
  const url = new URL(location)
  assert.equal(url.origin, origin)
  return url.searchParams
}

/** The full connect flow of `provider` as `user`; returns the new source's id. */
export async function connect(user: TestUser, provider: 'ga4' | 'instagram'): Promise<string> {
  const back = await visit(await consent(await startConnect(user, provider)))
  assert.equal(back.status, 302, back.text)
  const query = backAtApp(back.location)
  assert.ok(query.get('source_id'), `no source: ${back.location}`)
  return query.get('source_id')!
}

/** Connects GA4 and picks its first property: an active source with its backfill queued. */
export async function activeGa4Source(user: TestUser, propertyId = 'properties/111111111') {
  const id = await connect(user, 'ga4')
  const picked = await call('POST', `/sources/${id}/property`, {
    token: user.token,
    body: { property_id: propertyId },
  })
  assert.equal(picked.status, 200, picked.text)
  return id
}
