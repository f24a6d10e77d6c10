/**
 * Options of the local auth server and the state its handlers share.
 */
import type postgres from 'postgres'

/** The public half of the signing key, as served on the JWKS endpoint. */
export type PublicJwk = JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' }

/** What `createAuthServer` needs. */
export type AuthServerOptions = {
  /**
   * Connected to the local database as GoTrue is on Supabase: as `supabase_auth_admin`, which
   * owns the auth schema (postgres works too). Rows are read by their snake_case column
   * names, so the client must not use a column `transform`.
   */
  sql: postgres.Sql
  /** The `iss` claim, e.g. 'http://127.0.0.1:54321/auth/v1'. */
  issuer: string
  /** ES256 private key that signs access tokens. */
  signingKey: CryptoKey
  /** Public JWK of `signingKey`. */
  publicJwk: PublicJwk
  /** 'sb_publishable_...' keys (the anon role). */
  publishableKeys: string[]
  /** 'sb_secret_...' keys (the service role). */
  secretKeys: string[]
  /** Access token lifetime; GoTrue's default is 3600. */
  accessTokenTtlSeconds?: number
}

/** Shared by every handler of one server instance. */
export type AuthContext = {
  sql: postgres.Sql
  issuer: string
  signingKey: CryptoKey
  publicJwk: PublicJwk
  /** Imported once from `publicJwk` to verify bearer tokens. */
  verifyKey: Promise<CryptoKey>
  publishableKeys: Set<string>
  secretKeys: Set<string>
  ttlSeconds: number
}
