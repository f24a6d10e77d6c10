/**
 * The local stack's keys, made on first start and kept in the instance's state dir:
 * an ES256 signing key for access tokens, and one publishable and one secret API key.
 */
import { exportJWK, generateKeyPair, importJWK } from 'jose'

export type StackKeys = {
  signingKey: CryptoKey
  publicJwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' }
  publishableKey: string
  secretKey: string
}

type Stored = {
  privateJwk: JsonWebKey & { kid: string }
  publicJwk: StackKeys['publicJwk']
  publishableKey: string
  secretKey: string
}

function randomKey(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return prefix + btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '').slice(0, 30)
}

/** Loads the keys from `${stateDir}/keys.json`, creating them the first time. */
export async function loadOrCreateKeys(stateDir: string): Promise<StackKeys> {
  const path = `${stateDir}/keys.json`
  let stored: Stored
  try {
    stored = JSON.parse(await Deno.readTextFile(path))
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const kid = crypto.randomUUID()
    stored = {
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
      publishableKey: randomKey('sb_publishable_'),
      secretKey: randomKey('sb_secret_'),
    }
    await Deno.writeTextFile(path, JSON.stringify(stored, null, 2), { mode: 0o600 })
  }
  const signingKey = await importJWK(stored.privateJwk, 'ES256') as CryptoKey
  return { ...stored, signingKey }
}

/** Reads the stored keys without the private part (for printing the environment). */
export async function readPublicKeys(stateDir: string) {
  const stored: Stored = JSON.parse(await Deno.readTextFile(`${stateDir}/keys.json`))
  return {
    publicJwk: stored.publicJwk,
    publishableKey: stored.publishableKey,
    secretKey: stored.secretKey,
  }
}
