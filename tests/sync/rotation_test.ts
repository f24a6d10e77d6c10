/**
 * Key rotation of stored credentials: POST /sync/rotate-credentials takes only the secret
 * key, and the rotation re-encrypts every row under an older key with the newest one,
 * leaves current rows alone, and never overwrites a row that changed meanwhile.
 */
import assert from 'node:assert/strict'
import {
  CredentialKeyring,
  decryptCredentials,
  encryptCredentials,
  encryptionKeyList,
  generateEncryptionKey,
} from '../../shared/credentials.ts'
import { rotateStoredCredentials } from '../../supabase/functions/sync/rotation.ts'
import { adminSql, call, newUser, stack, test } from '../_helpers/stack.ts'
import { activeSource } from './fixtures.ts'

const credentials = { refresh_token: '1//rotation-refresh', access_token: 'ya29.rotation' }

test('rotate-credentials: only the secret key; with one key configured nothing changes', async () => {
  const { sourceId } = await activeSource({
    provider: 'ga4',
    externalId: 'properties/9',
    credentials,
  })
  const user = await newUser('rotation')
  for (const token of [user.token, stack.publishableKey]) {
    const refused = await call('POST', '/sync/rotate-credentials', { token })
    assert.equal(refused.status, 401, refused.text)
  }
  const res = await call('POST', '/sync/rotate-credentials', { token: stack.secretKey })
  assert.equal(res.status, 200, res.text)
  assert.equal(res.body.rotated, 0)
  assert.ok(res.body.current >= 1)
  assert.ok(!res.text.includes('rotation-refresh'))
  const [row] = await adminSql`
    select key_id from private.source_credentials where source_id = ${sourceId}`
  assert.equal(row.key_id, res.body.key_id)
})

test('rotation re-encrypts rows under older keys, and old keys decrypt until then', async () => {
  const { sourceId } = await activeSource({
    provider: 'ga4',
    externalId: 'properties/8',
    credentials,
  })
  // The stack's own key stays in every keyring: other tests' rows are sealed with it.
  const stackKeys = encryptionKeyList.parse(Deno.env.get('LYTICS_ENCRYPTION_KEYS') ?? '')
  const [oldKey, newKey] = [generateEncryptionKey('old'), generateEncryptionKey('new')]
    .map((entry) => encryptionKeyList.parse(entry)[0])
  const before = new CredentialKeyring([oldKey, ...stackKeys])
  const after = new CredentialKeyring([newKey, oldKey, ...stackKeys])
  const onlyNew = new CredentialKeyring([newKey])
  const rollback = new Error('roll back')
  await adminSql.begin(async (tx) => {
    const sealed = await encryptCredentials(credentials, { sourceId, keyring: before })
    await tx`
      update private.source_credentials
      set key_id = ${sealed.key_id}, iv = ${sealed.iv}, ciphertext = ${sealed.ciphertext}
      where source_id = ${sourceId}`

    const summary = await rotateStoredCredentials(tx, { keyring: after })
    assert.equal(summary.key_id, 'new')
    assert.ok(summary.rotated >= 1)
    const [row] = await tx<{ key_id: string; iv: Uint8Array; ciphertext: Uint8Array }[]>`
      select key_id, iv, ciphertext from private.source_credentials where source_id = ${sourceId}`
    assert.equal(row.key_id, 'new')
    assert.deepEqual(await decryptCredentials(row, { sourceId, keyring: onlyNew }), credentials)
    assert.ok(!new TextDecoder().decode(row.ciphertext).includes('rotation'))

    // Everything is under the newest key now: a second pass rotates nothing.
    const again = await rotateStoredCredentials(tx, { keyring: after })
    assert.equal(again.rotated, 0)
    throw rollback
  }).catch((err) => {
    if (err !== rollback) throw err
  })
})
