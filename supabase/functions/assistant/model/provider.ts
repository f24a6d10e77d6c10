/**
 * Which model a request talks to: the organization's own key, base URL and model when it
 * stored one (it takes precedence), else the environment's (OPENAI_*), else none, which
 * answers 503 naming what to set. The key is only ever held in memory here: never logged,
 * never returned (the settings show a masked hint).
 */
import OpenAI from 'openai'
import type { AssistantConfig } from '../../../../shared/config.ts'
import { ApiError } from '../../../../shared/http/errors.ts'

/** An organization's stored provider, its key decrypted. */
export type OrgModelSettings = { apiKey: string; baseUrl: string | null; model: string | null }

/** The provider one request uses, and where its settings came from. */
export type ModelTarget = {
  apiKey: string
  baseURL: string
  model: string
  source: 'organization' | 'environment'
}

/**
 * The organization's settings over the environment's; null when neither has a key.
 *
 * @example
 * const target = modelTarget(await orgModelSettings(orgId), assistantConfig())
 */
export function modelTarget(
  org: OrgModelSettings | null,
  env: AssistantConfig,
): ModelTarget | null {
  if (org) {
    return {
      apiKey: org.apiKey,
      baseURL: org.baseUrl ?? env.OPENAI_BASE_URL,
      model: org.model ?? env.OPENAI_MODEL,
      source: 'organization',
    }
  }
  if (!env.OPENAI_API_KEY) return null
  return {
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL,
    model: env.OPENAI_MODEL,
    source: 'environment',
  }
}

/** modelTarget, or the 503 that names what to set. */
export function requireModel(org: OrgModelSettings | null, env: AssistantConfig): ModelTarget {
  const target = modelTarget(org, env)
  if (!target) {
    throw new ApiError(
      503,
      'model_not_configured',
      'no model is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL for ' +
        'another OpenAI-compatible server) on the functions, or store an organization key ' +
        'with PUT /assistant/settings',
      { missing: ['OPENAI_API_KEY'] },
    )
  }
  return target
}

/** An OpenAI client for the target; retries are ours to decide (none), timeouts too. */
export function modelClient(target: ModelTarget, options: { timeoutMs: number }): OpenAI {
  return new OpenAI({
    apiKey: target.apiKey,
    baseURL: target.baseURL,
    maxRetries: 0,
    timeout: options.timeoutMs,
  })
}

/** `sk-…abcd`: enough to recognise a key, never enough to use it. */
export function keyHint(key: string): string {
  const prefix = /^(sk-|sk_)/.exec(key)?.[0] ?? ''
  return key.length >= 16 ? `${prefix}…${key.slice(-4)}` : `${prefix}…`
}
