/**
 * No token leaves the sources function: not in a response, not in a redirect, not in the
 * gateway's log, and a pg_dump of the database holds only ciphertext.
 */
import assert from 'node:assert/strict'
import { startStackFakes } from '../fakes/on_stack.ts'
import { call, stack, test } from '../_helpers/stack.ts'
import { activeGa4Source, consent, startConnect, team, visit } from './_flow.ts'

const fakes = startStackFakes()

/** Every token and code the fake providers handed out so far. */
function issuedSecrets(): string[] {
  return [
    ...fakes.google.tokens.grants.keys(),
    ...fakes.google.tokens.accessTokens.keys(),
    ...fakes.google.tokens.codes.keys(),
    ...fakes.instagram.tokens.tokens.keys(),
    ...fakes.instagram.tokens.codes.keys(),
  ]
}

function assertNoSecret(text: string, where: string) {
  for (const secret of issuedSecrets()) {
    assert.ok(!text.includes(secret), `${where} contains a token (${secret.slice(0, 12)}…)`)
  }
}

test('after connecting GA4 and Instagram, no response, log line or pg_dump holds a token', async () => {
  const { owner, orgId } = await team()
  const texts: string[] = []

  const ga4 = await activeGa4Source(owner)
  const igBack = await visit(await consent(await startConnect(owner, 'instagram')))
  texts.push(igBack.location ?? '', igBack.text)
  // A revoke that fails is logged: the line must name the failure, not the token.
  fakes.google.server.script(
    'revoke',
    () => Response.json({ error: 'server_error' }, { status: 503 }),
  )
  const second = await activeGa4Source(owner, 'properties/222222222')
  for (
    const path of [
      '/sources',
      `/sources/${ga4}`,
      `/sources/${ga4}/properties`,
      `/sources/${ga4}/runs`,
    ]
  ) {
    const res = await call('GET', path, { token: owner.token })
    assert.equal(res.status, 200, res.text)
    texts.push(res.text)
  }
  const removed = await call('DELETE', `/sources/${second}`, { token: owner.token })
  assert.equal(removed.status, 204, removed.text)

  assert.ok(fakes.google.tokens.grants.size >= 2 && fakes.instagram.tokens.tokens.size >= 2)
  texts.forEach((text, i) => assertNoSecret(text, `response ${i}`))

  const log = await Deno.readTextFile(`${Deno.env.get('LYTICS_STATE_DIR')}/gateway.log`)
  assert.match(log, /revoking at the provider failed/, 'the failed revoke was logged')
  assertNoSecret(log, 'the gateway log')

  const dump = await new Deno.Command('pg_dump', {
    args: ['--dbname', stack.dbUrl, '--data-only', '--schema', 'public', '--schema', 'private'],
    stdout: 'piped',
    stderr: 'piped',
  }).output()
  assert.equal(dump.code, 0, new TextDecoder().decode(dump.stderr))
  const text = new TextDecoder().decode(dump.stdout)
  assert.ok(text.includes(ga4) && text.includes(orgId), 'the sources are in the dump')
  assert.ok(text.includes('source_credentials'), 'so are their sealed credentials')
  assertNoSecret(text, 'the pg_dump')
})

test('close the fake providers', () => fakes.close())
