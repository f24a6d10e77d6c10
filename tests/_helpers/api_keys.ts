/**
 * API keys for tests, made through the API as a real admin makes them.
 */
import assert from 'node:assert/strict'
import type { ApiKeyScope } from '../../shared/api-keys.ts'
import { call, type TestUser } from './stack.ts'

/** Creates an API key of `admin`'s active organization through POST /events/keys. */
export async function createApiKey(
  admin: TestUser,
  options: { scopes?: ApiKeyScope[] } = {},
): Promise<string> {
  const res = await call('POST', '/events/keys', {
    token: admin.token,
    body: { name: 'test key', ...(options.scopes ? { scopes: options.scopes } : {}) },
  })
  assert.equal(res.status, 201, res.text)
  return res.body.key
}
