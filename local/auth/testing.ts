/**
 * An auth server of its own for a test: fresh ES256 keys and API keys, served on an ephemeral
 * loopback port, so tests need neither the gateway nor a running stack.
 */
import { exportJWK, generateKeyPair } from 'jose'
import type postgres from 'postgres'
import type { PublicJwk } from './context.ts'
import { createAuthServer } from './mod.ts'

/** A running test auth server. Call `shutdown` before the test ends. */
export type TestAuthServer = {
  /** Base URL to give supabase-js, e.g. http://127.0.0.1:41234. */
  url: string
  /** `${url}/auth/v1`, the `iss` of its tokens. */
  issuer: string
  publishableKey: string
  secretKey: string
  publicJwk: PublicJwk
  shutdown(): Promise<void>
}

const randomKey = (prefix: string) => prefix + crypto.randomUUID().replaceAll('-', '')

/** Starts an auth server on 127.0.0.1 with a random port over `sql`. */
export async function startTestAuthServer(
  sql: postgres.Sql,
  options: { accessTokenTtlSeconds?: number } = {},
): Promise<TestAuthServer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk: PublicJwk = {
    ...(await exportJWK(publicKey) as JsonWebKey),
    kid: crypto.randomUUID(),
    alg: 'ES256',
    use: 'sig',
  }
  const publishableKey = randomKey('sb_publishable_test_')
  const secretKey = randomKey('sb_secret_test_')
  // The issuer contains the port, so the listener starts first and gets its handler after.
  let handle = (_req: Request) => Promise.resolve(new Response(null, { status: 503 }))
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, (r) => handle(r))
  const url = `http://127.0.0.1:${server.addr.port}`
  const issuer = `${url}/auth/v1`
  handle = createAuthServer({
    sql,
    issuer,
    signingKey: privateKey,
    publicJwk,
    publishableKeys: [publishableKey],
    secretKeys: [secretKey],
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
  }).fetch
  return { url, issuer, publishableKey, secretKey, publicJwk, shutdown: () => server.shutdown() }
}
