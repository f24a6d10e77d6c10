/**
 * Envelope encryption of provider credentials (shared/credentials.ts): AES-256-GCM bound
 * to the source id, with rotatable keys from LYTICS_ENCRYPTION_KEYS.
 */
import assert from 'node:assert/strict'
import { z } from 'zod'
import { readConfig } from '../../shared/config.ts'
import {
  CredentialKeyring,
  credentialKeysSchema,
  CredentialsError,
  decryptCredentials,
  encryptCredentials,
  generateEncryptionKey,
  needsRotation,
  reencryptCredentials,
} from '../../shared/credentials.ts'

const oldKey = generateEncryptionKey('k2026a')
const newKey = generateEncryptionKey('k2026b')
const sourceId = crypto.randomUUID()
const tokens = {
  access_token: 'ya29.plain-access-token-visible-if-leaked',
  refresh_token: '1//plain-refresh-token-visible-if-leaked',
  expiry_date: 1_790_000_000_000,
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

Deno.test('round trip: what is sealed for a source opens for it, with a fresh IV each time', async () => {
  const keyring = CredentialKeyring.parse(oldKey)
  const a = await encryptCredentials(tokens, { sourceId, keyring })
  const b = await encryptCredentials(tokens, { sourceId, keyring })
  assert.equal(a.key_id, 'k2026a')
  assert.equal(a.iv.length, 12)
  assert.notDeepEqual(a.iv, b.iv)
  assert.notDeepEqual(a.ciphertext, b.ciphertext)
  assert.deepEqual(await decryptCredentials(a, { sourceId, keyring }), tokens)
  const schema = z.object({ refresh_token: z.string() })
  const typed = await decryptCredentials(b, { sourceId, keyring, schema })
  assert.equal(typed.refresh_token, tokens.refresh_token)
})

Deno.test('no plaintext in the sealed output', async () => {
  const keyring = CredentialKeyring.parse(oldKey)
  const sealed = await encryptCredentials(tokens, { sourceId, keyring })
  const encoder = new TextEncoder()
  for (const secret of [tokens.access_token, tokens.refresh_token, 'plain-']) {
    assert.ok(!containsBytes(sealed.ciphertext, encoder.encode(secret)))
    assert.ok(!JSON.stringify(sealed).includes(secret))
  }
})

Deno.test('a ciphertext moved to another source does not decrypt', async () => {
  const keyring = CredentialKeyring.parse(oldKey)
  const sealed = await encryptCredentials(tokens, { sourceId, keyring })
  const error = await decryptCredentials(sealed, { sourceId: crypto.randomUUID(), keyring })
    .catch((e) => e)
  assert.ok(error instanceof CredentialsError)
  assert.equal(error.code, 'decrypt_failed')
})

Deno.test('a tampered ciphertext, IV or tag does not decrypt', async () => {
  const keyring = CredentialKeyring.parse(oldKey)
  const sealed = await encryptCredentials(tokens, { sourceId, keyring })
  const flip = (bytes: Uint8Array, at: number) => {
    const copy = new Uint8Array(bytes)
    copy[at] ^= 1
    return copy
  }
  for (
    const tampered of [
      { ...sealed, ciphertext: flip(sealed.ciphertext, 0) },
      { ...sealed, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) },
      { ...sealed, iv: flip(sealed.iv, 3) },
      { ...sealed, ciphertext: sealed.ciphertext.slice(0, -1) },
    ]
  ) {
    await assert.rejects(
      decryptCredentials(tampered, { sourceId, keyring }),
      (e) => e instanceof CredentialsError && e.code === 'decrypt_failed',
    )
  }
  await assert.rejects(
    decryptCredentials({ ...sealed, iv: sealed.iv.slice(0, 8) }, { sourceId, keyring }),
    (e) => e instanceof CredentialsError && e.code === 'malformed',
  )
})

Deno.test('an unknown key id fails clearly, naming the id and not the secret', async () => {
  const sealed = await encryptCredentials(tokens, {
    sourceId,
    keyring: CredentialKeyring.parse(oldKey),
  })
  const error = await decryptCredentials(sealed, {
    sourceId,
    keyring: CredentialKeyring.parse(newKey),
  }).catch((e) => e)
  assert.ok(error instanceof CredentialsError)
  assert.equal(error.code, 'unknown_key')
  assert.match(error.message, /"k2026a".*LYTICS_ENCRYPTION_KEYS/)
  assert.ok(!error.message.includes(oldKey.split(':')[1]))
})

Deno.test('rotation: old keys decrypt until rotated; reencrypt moves a row to the newest key', async () => {
  const before = CredentialKeyring.parse(oldKey)
  const sealedOld = await encryptCredentials(tokens, { sourceId, keyring: before })

  // A new key goes first; the old one stays listed while rows are re-encrypted.
  const during = CredentialKeyring.parse(`${newKey},${oldKey}`)
  assert.equal(needsRotation(sealedOld.key_id, during), true)
  assert.deepEqual(await decryptCredentials(sealedOld, { sourceId, keyring: during }), tokens)
  const fresh = await encryptCredentials(tokens, { sourceId, keyring: during })
  assert.equal(fresh.key_id, 'k2026b')
  assert.equal(await reencryptCredentials(fresh, { sourceId, keyring: during }), null)

  const rotated = await reencryptCredentials(sealedOld, { sourceId, keyring: during })
  assert.ok(rotated)
  assert.equal(rotated.key_id, 'k2026b')
  assert.equal(needsRotation(rotated.key_id, during), false)

  // Once every row is rotated the old key is dropped: rotated rows open, unrotated do not.
  const after = CredentialKeyring.parse(newKey)
  assert.deepEqual(await decryptCredentials(rotated, { sourceId, keyring: after }), tokens)
  await assert.rejects(
    decryptCredentials(sealedOld, { sourceId, keyring: after }),
    (e) => e instanceof CredentialsError && e.code === 'unknown_key',
  )
})

Deno.test('LYTICS_ENCRYPTION_KEYS is validated, and errors never echo key material', () => {
  const good = readConfig(credentialKeysSchema, { LYTICS_ENCRYPTION_KEYS: `${newKey}, ${oldKey}` })
  assert.deepEqual(good.LYTICS_ENCRYPTION_KEYS.map((k) => k.id), ['k2026b', 'k2026a'])
  const short = `short:${btoa('sixteen byte key')}`
  for (
    const [value, expected] of [
      ['', /at least one key/],
      ['nocolon', /key 1: expected <id>:<base64 key>/],
      [short, /key "short" must be base64 of 32 bytes/],
      ['bad:!!notbase64!!', /key "bad" must be base64 of 32 bytes/],
      [`${oldKey},${oldKey}`, /key id "k2026a" appears twice/],
    ] as const
  ) {
    const error = (() => {
      try {
        readConfig(credentialKeysSchema, { LYTICS_ENCRYPTION_KEYS: value })
      } catch (e) {
        return e as Error
      }
    })()
    assert.ok(error, `accepted: ${value}`)
    assert.match(error.message, expected)
    assert.ok(!error.message.includes(oldKey.split(':')[1]), 'the key is not in the message')
  }
  assert.throws(() => readConfig(credentialKeysSchema, {}), /LYTICS_ENCRYPTION_KEYS: missing/)
})

Deno.test('sealed values are bytea-friendly: Uint8Arrays and a text key id', async () => {
  const sealed = await encryptCredentials('just a string', {
    sourceId,
    keyring: CredentialKeyring.parse(oldKey),
  })
  assert.ok(sealed.iv instanceof Uint8Array && sealed.ciphertext instanceof Uint8Array)
  // 16-byte GCM tag + the JSON text.
  assert.equal(sealed.ciphertext.length, JSON.stringify('just a string').length + 16)
})
