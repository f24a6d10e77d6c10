/**
 * Environment, read and validated once per isolate.
 *
 * Every function shares the base settings below; a function with settings of its own
 * (OAuth client ids, the OpenAI key) extends `baseConfigSchema` and calls `readConfig`.
 */
import { z } from 'zod'

const url = z.url({ protocol: /^https?$/ })
const csv = z.string().transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))

/** Settings every function needs. */
export const baseConfigSchema = z.object({
  SUPABASE_URL: url,
  /** Direct connection; the CLI and the platform provide it. */
  SUPABASE_DB_URL: z.string().min(1).optional(),
  /** Overrides SUPABASE_DB_URL, e.g. the Supavisor transaction pooler on port 6543. */
  DATABASE_URL: z.string().min(1).optional(),
  /** Inline JWKS (the CLI sets it locally); the remote JWKS is used otherwise. */
  SUPABASE_JWKS: z.string().optional(),
  /** JSON object of secret API keys, e.g. {"default":"sb_secret_..."}. */
  SUPABASE_SECRET_KEYS: z.string().optional(),
  /** Legacy service_role JWT-style key, still accepted by the service guard. */
  SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),
  /** Legacy HS256 signing secret, for projects not yet on asymmetric keys. */
  LEGACY_JWT_SECRET: z.string().min(32).optional(),
  /**
   * Accepted `iss` values, comma-separated; defaults to SUPABASE_URL + /auth/v1 (see
   * shared/auth.ts for the CLI's kong URL).
   */
  JWT_ISSUER: csv.optional(),
  /** Comma-separated origins allowed by CORS; `*` allows any. */
  ALLOW_ORIGINS: csv.default(['*']),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(20).default(4),
  /**
   * How the database URL pools connections: `session` (direct or a session pooler) or
   * `transaction` (Supavisor on 6543, PgBouncer). Unset, port 6543 means transaction.
   */
  DB_POOL_MODE: z.enum(['session', 'transaction']).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /**
   * Which requests get an access-log line: `all`, `errors` (5xx and slow ones) or `off`.
   * Quiet by default: hosted logs keep ~100 events per 10 s per function.
   */
  ACCESS_LOG: z.enum(['all', 'errors', 'off']).default('errors'),
  /** A request at least this slow is logged whatever ACCESS_LOG says (unless `off`). */
  LOG_SLOW_MS: z.coerce.number().int().min(0).default(1000),
})

export type BaseConfig = z.infer<typeof baseConfigSchema>

/** Raised when the environment is incomplete; names the variables, never their values. */
export class ConfigError extends Error {
  constructor(readonly variables: string[], detail: string) {
    super(`invalid configuration: ${detail}`)
    this.name = 'ConfigError'
  }
}

/**
 * Parses an environment with `schema`, throwing a ConfigError that names what is wrong.
 *
 * @example
 * const config = readConfig(baseConfigSchema.extend({ OPENAI_API_KEY: z.string() }))
 */
export function readConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string> = Deno.env.toObject(),
): z.infer<S> {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))]
    // zod 4 issues carry no `input`: whether a variable is missing is read from `env`.
    const problem = (name: string, message: string) =>
      `${name}: ${env[name] === undefined ? 'missing' : message}`
    const detail = parsed.error.issues.map((i) => problem(String(i.path[0]), i.message)).join('; ')
    throw new ConfigError(names, detail)
  }
  return parsed.data
}

const parsedOnce = new WeakMap<z.ZodType, unknown>()

/**
 * The environment parsed with `schema`, memoized per isolate. Lazy, so a function whose
 * environment is incomplete still boots and can say what is missing on `/health/ready`.
 */
export function configOf<S extends z.ZodType>(schema: S): z.infer<S> {
  if (!parsedOnce.has(schema)) parsedOnce.set(schema, readConfig(schema))
  return parsedOnce.get(schema) as z.infer<S>
}

/** The base configuration of this isolate. */
export function config(): BaseConfig {
  return configOf(baseConfigSchema)
}

const base = baseConfigSchema.shape

/**
 * The settings the HTTP layer reads when an app is made. Each falls back to its default
 * when malformed, so a typo cannot keep a function from booting; `/health/ready` still
 * names it (configProblems checks the whole base schema).
 */
export const httpConfigSchema = z.object({
  ALLOW_ORIGINS: base.ALLOW_ORIGINS.catch(['*']),
  LOG_LEVEL: base.LOG_LEVEL.catch('info'),
  ACCESS_LOG: base.ACCESS_LOG.catch('errors'),
  LOG_SLOW_MS: base.LOG_SLOW_MS.catch(1000),
})

export type HttpConfig = z.infer<typeof httpConfigSchema>

/**
 * CORS and logging settings of this isolate. Separate from config() because they are read
 * when the app is built, before SUPABASE_URL and the other required settings are checked.
 */
export function httpConfig(): HttpConfig {
  return configOf(httpConfigSchema)
}

/** Names of required or malformed variables, for `/health/ready` (never values). */
export function configProblems(schema: z.ZodType = baseConfigSchema): string[] {
  const parsed = schema.safeParse(Deno.env.toObject())
  const names = parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0]))
  const env = Deno.env.toObject()
  if (!env.SUPABASE_DB_URL && !env.DATABASE_URL) names.push('SUPABASE_DB_URL')
  return [...new Set(names)]
}

/**
 * The assistant's model provider and limits. Every key is optional: without
 * OPENAI_API_KEY (and no organization key) questions answer 503 naming it, while the
 * deterministic insights still work. OPENAI_BASE_URL may be any OpenAI-compatible server
 * (OpenAI, Azure, Ollama, vLLM, LM Studio).
 */
export const assistantConfigSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: url.default('https://api.openai.com/v1').transform((u) => u.replace(/\/+$/, '')),
  OPENAI_MODEL: z.string().min(1).max(200).default('gpt-4o-mini'),
  /** Tokens (prompt + completion) one organization may spend per UTC day. */
  ASSISTANT_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(1).default(200_000),
  /** Questions one user may ask per minute. */
  ASSISTANT_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  /** The longest a whole turn (every model call and tool) may take. */
  ASSISTANT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(140_000).default(60_000),
  /** Model calls per turn; a model still asking for tools after that is stopped. */
  ASSISTANT_MAX_ROUNDS: z.coerce.number().int().min(1).max(20).default(6),
  /** Estimated tokens of earlier turns sent as context (newest first, whole turns). */
  ASSISTANT_HISTORY_TOKENS: z.coerce.number().int().min(0).default(6000),
})

export type AssistantConfig = z.infer<typeof assistantConfigSchema>

/** The assistant settings of this isolate; a ConfigError names what is malformed. */
export function assistantConfig(): AssistantConfig {
  return configOf(assistantConfigSchema)
}

/**
 * For `/health/ready`: the assistant's malformed settings, and OPENAI_API_KEY when it is not
 * set (optional, since an organization may store its own, but questions need one).
 */
export function assistantConfigProblems(): string[] {
  const parsed = assistantConfigSchema.safeParse(Deno.env.toObject())
  const names = parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0]))
  if (parsed.success && !parsed.data.OPENAI_API_KEY) names.push('OPENAI_API_KEY')
  return [...new Set(names)]
}
