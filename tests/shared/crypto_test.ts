/**
 * shared/crypto.ts: hashes of shown-once tokens, and the tokens themselves.
 */
import assert from 'node:assert/strict'
import { randomToken, sha256Hex, uuidv7 } from '../../shared/crypto.ts'

Deno.test('sha256Hex: known vectors (FIPS 180-2)', async () => {
  assert.equal(
    await sha256Hex('abc'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  )
  assert.equal(
    await sha256Hex(''),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  )
  assert.equal(
    await sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  )
})

Deno.test('sha256Hex: UTF-8 text, lowercase hex of 64 characters', async () => {
  const hash = await sha256Hex('clé ключ 🔑')
  assert.match(hash, /^[0-9a-f]{64}$/)
  assert.notEqual(hash, await sha256Hex('cle kluch'))
})

Deno.test('randomToken: the requested length from [A-Za-z0-9]', () => {
  for (const length of [0, 1, 16, 32, 40, 100]) {
    const token = randomToken(length)
    assert.equal(token.length, length)
    assert.match(token, /^[A-Za-z0-9]*$/)
  }
})

Deno.test('randomToken: unique, and every character of the alphabet occurs', () => {
  const tokens = Array.from({ length: 2000 }, () => randomToken(32))
  assert.equal(new Set(tokens).size, tokens.length)
  const seen = new Set(tokens.join(''))
  assert.equal(seen.size, 62)
})

Deno.test('randomToken: roughly uniform (no modulo bias towards the first letters)', () => {
  const counts = new Map<string, number>()
  const sample = randomToken(62_000)
  for (const ch of sample) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  // Expected 1000 each; a biased generator (byte % 62) gives the first 8 about 1.2x as many.
  for (const [ch, n] of counts) assert.ok(n > 820 && n < 1180, `${ch} occurred ${n} times`)
})

Deno.test('uuidv7: version 7, RFC variant, the timestamp first, so ids sort by time', () => {
  const at = Date.UTC(2026, 10, 22, 9, 30)
  const id = uuidv7(at)
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(parseInt(id.replaceAll('-', '').slice(0, 12), 16), at)
  const later = uuidv7(at + 1)
  assert.ok(id < later, `${id} sorts before ${later}`)
  assert.notEqual(uuidv7(at), uuidv7(at), 'the random part differs')
})
