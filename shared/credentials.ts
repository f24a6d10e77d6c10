/**
 * Envelope encryption of a data source's provider credentials (OAuth tokens) at rest.
 *
 * AES-256-GCM through WebCrypto with a fresh 12-byte IV per encryption, the source id as
 * associated data (a ciphertext copied to another source's row does not decrypt), and the
 * id of the key beside each ciphertext, so keys can rotate: `LYTICS_ENCRYPTION_KEYS` lists
 * several, newest first; new ciphertexts use the newest, older keys keep decrypting until
 * `reencryptCredentials` has moved every row to the newest and the old key is removed.
 *
 * `LYTICS_ENCRYPTION_KEYS` is `<id>:<base64 of 32 random bytes>`, comma-separated, e.g.
 * `k2026b:…,k2026a:…`. Make a key with `generateEncryptionKey('k2026b')`, or
 * `openssl rand -base64 32`. Nothing here logs or returns a key or a plaintext in an error.
 */
import { z } from 'zod'
import { configOf } from './config.ts'
import { base64ToBytes, bytesToBase64 } from './credentials/base64.ts'

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/

export type EncryptionKeyEntry = { id: string; key: Uint8Array<ArrayBuffer> }

/** One `<id>:<base64>` list, validated: 32-byte keys, ids unique and of `[A-Za-z0-9_-]`. */
export const encryptionKeyList = z.string().transform((text, ctx): EncryptionKeyEntry[] => {
  const entries: EncryptionKeyEntry[] = []
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean)
  if (parts.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one key is required' })
  parts.forEach((part, index) => {
    // Issues name the position and id only: a message must never carry key material.
    const colon = part.indexOf(':')
    const id = colon > 0 ? part.slice(0, colon) : ''
    if (!KEY_ID.test(id)) {
      ctx.addIssue({ code: 'custom', message: `key ${index + 1}: expected <id>:<base64 key>` })
      return
    }
    const key = base64ToBytes(part.slice(colon + 1))
    if (key?.length !== 32) {
      ctx.addIssue({ code: 'custom', message: `key "${id}" must be base64 of 32 bytes` })
      return
    }
    if (entries.some((e) => e.id === id)) {
      ctx.addIssue({ code: 'custom', message: `key id "${id}" appears twice` })
      return
    }
    entries.push({ id, key })
  })
  return entries
})

/** The environment the credentials module reads; extend a function's config with it. */
export const credentialKeysSchema = z.object({ LYTICS_ENCRYPTION_KEYS: encryptionKeyList })

/** Raised when credentials cannot be sealed or opened; the message names no secret. */
export class CredentialsError extends Error {
  constructor(readonly code: 'unknown_key' | 'decrypt_failed' | 'malformed', message: string) {
    super(message)
    this.name = 'CredentialsError'
  }
}

/** The encryption keys in use, newest first, with their WebCrypto keys imported once. */
export class CredentialKeyring {
  readonly #keys = new Map<string, Promise<CryptoKey>>()
  /** The id new ciphertexts are made with. */
  readonly newestKeyId: string

  constructor(entries: EncryptionKeyEntry[]) {
    if (entries.length === 0) throw new CredentialsError('malformed', 'no encryption keys')
    this.newestKeyId = entries[0].id
    for (const { id, key } of entries) {
      this.#keys.set(
        id,
        crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']),
      )
    }
  }

  /** Parses a `LYTICS_ENCRYPTION_KEYS` value; throws a ZodError naming what is wrong. */
  static parse(text: string): CredentialKeyring {
    return new CredentialKeyring(encryptionKeyList.parse(text))
  }

  has(keyId: string): boolean {
    return this.#keys.has(keyId)
  }

  /** The WebCrypto key of `keyId`; an id no longer configured fails clearly. */
  key(keyId: string): Promise<CryptoKey> {
    const key = this.#keys.get(keyId)
    if (!key) {
      throw new CredentialsError(
        'unknown_key',
        `credentials were encrypted with key "${keyId}", which LYTICS_ENCRYPTION_KEYS no longer lists`,
      )
    }
    return key
  }
}

const keyrings = new WeakMap<object, CredentialKeyring>()

/** This isolate's keyring from `LYTICS_ENCRYPTION_KEYS`; throws a ConfigError naming it. */
export function credentialKeyring(): CredentialKeyring {
  const config = configOf(credentialKeysSchema)
  let keyring = keyrings.get(config)
  if (!keyring) keyrings.set(config, keyring = new CredentialKeyring(config.LYTICS_ENCRYPTION_KEYS))
  return keyring
}

/** A sealed credential, column for column: `key_id text, iv bytea, ciphertext bytea`. */
export type EncryptedCredentials = {
  key_id: string
  iv: Uint8Array
  ciphertext: Uint8Array
}

export type CredentialsOptions = {
  /** The data source the credentials belong to: bound in as associated data. */
  sourceId: string
  /** Defaults to `credentialKeyring()` (the environment). */
  keyring?: CredentialKeyring
}

const encoder = new TextEncoder()

/**
 * Encrypts a JSON-serialisable value with the newest key.
 *
 * @example
 * const sealed = await encryptCredentials({ refresh_token }, { sourceId: source.id })
 * await sql`update private.source_credentials set ${sql(sealed)} where source_id = ${source.id}`
 */
export async function encryptCredentials(
  credentials: unknown,
  options: CredentialsOptions,
): Promise<EncryptedCredentials> {
  const keyring = options.keyring ?? credentialKeyring()
  const key_id = keyring.newestKeyId
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const plaintext = encoder.encode(JSON.stringify(credentials))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(options.sourceId) },
    await keyring.key(key_id),
    plaintext,
  )
  return { key_id, iv, ciphertext: new Uint8Array(sealed) }
}

/**
 * Decrypts what `encryptCredentials` sealed for the same source. With `schema`, the value
 * is parsed by it (and typed); without, it is `unknown`.
 */
export async function decryptCredentials<S extends z.ZodType = z.ZodUnknown>(
  sealed: EncryptedCredentials,
  options: CredentialsOptions & { schema?: S },
): Promise<z.infer<S>> {
  const keyring = options.keyring ?? credentialKeyring()
  const key = await keyring.key(sealed.key_id)
  if (sealed.iv.length !== 12) throw new CredentialsError('malformed', 'the IV must be 12 bytes')
  let plaintext: ArrayBuffer
  try {
    plaintext = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: new Uint8Array(sealed.iv),
        additionalData: encoder.encode(options.sourceId),
      },
      key,
      new Uint8Array(sealed.ciphertext),
    )
  } catch {
    // GCM's tag check failed: tampered, or sealed for another source or with another key.
    throw new CredentialsError(
      'decrypt_failed',
      `credentials of source ${options.sourceId} do not decrypt (tampered, or another source's)`,
    )
  }
  const value: unknown = JSON.parse(new TextDecoder().decode(plaintext))
  // Without a schema S is ZodUnknown, so the cast only restates `unknown`.
  return (options.schema ? options.schema.parse(value) : value) as z.infer<S>
}

/** Whether a ciphertext made with `keyId` should be re-encrypted with the newest key. */
export function needsRotation(keyId: string, keyring = credentialKeyring()): boolean {
  return keyId !== keyring.newestKeyId
}

/**
 * Re-encrypts with the newest key (fresh IV, same source), or returns null when `sealed`
 * already uses it. Run over every row before an old key is removed from the environment.
 */
export async function reencryptCredentials(
  sealed: EncryptedCredentials,
  options: CredentialsOptions,
): Promise<EncryptedCredentials | null> {
  const keyring = options.keyring ?? credentialKeyring()
  if (!needsRotation(sealed.key_id, keyring)) return null
  const value = await decryptCredentials(sealed, { ...options, keyring })
  return await encryptCredentials(value, { ...options, keyring })
}

/** A new `<id>:<base64>` entry for `LYTICS_ENCRYPTION_KEYS` (32 random bytes). */
export function generateEncryptionKey(id: string): string {
  if (!KEY_ID.test(id)) throw new CredentialsError('malformed', 'a key id is [A-Za-z0-9_-]{1,32}')
  return `${id}:${bytesToBase64(crypto.getRandomValues(new Uint8Array(32)))}`
}
