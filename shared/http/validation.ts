/**
 * Turns zod failures into the project's 400, naming where each problem is
 * (`body.rows[3].value: expected number`), and refuses text Postgres cannot hold, for
 * every string of every request at once.
 */
import type { Context } from 'hono'
import type { z } from 'zod'
import { unstorableText } from './storable.ts'

export type Problem = { path: string; message: string }

// Hono names the JSON body `json`; clients know it as the body.
const targetNames: Record<string, string> = { json: 'body', form: 'body' }

function pathOf(target: string | undefined, keys: readonly PropertyKey[]): string {
  let path = target ? (targetNames[target] ?? target) : ''
  for (const key of keys) {
    path += typeof key === 'number' ? `[${key}]` : `${path ? '.' : ''}${String(key)}`
  }
  return path || '(root)'
}

/** Flattens zod issues into `where: what` problems, prefixed by the request part. */
export function describeIssues(error: z.ZodError, target?: string): Problem[] {
  return error.issues.flatMap((issue) =>
    // An unknown field is reported at its own path, so the message names it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
        path: pathOf(target, [...issue.path, key]),
        message: 'unknown field',
      }))
      : [{ path: pathOf(target, issue.path), message: issue.message }]
  )
}

/** The message and details of a 400 for these problems. */
export function problemsBody(problems: Problem[]) {
  const message = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ') +
    (problems.length > 5 ? ` (and ${problems.length - 5} more)` : '')
  return { error: { code: 'invalid_request', message, details: problems } }
}

/**
 * defaultHook for OpenAPIHono: every failed validation becomes the same 400, and so does
 * any string Postgres cannot store (see `unstorableText`). Hono hands the hook the parsed
 * value on success, so strings that a schema decodes itself (the JSON of `filters`) are
 * seen too; on failure it hands the input, whose strings are reported beside zod's issues.
 */
export function validationFailed(
  result:
    & { target?: string; data?: unknown }
    & ({ success: true } | { success: false; error: z.ZodError }),
  c: Context,
) {
  const problems = result.success ? [] : describeIssues(result.error, result.target)
  for (const { keys, message } of unstorableText(result.data)) {
    problems.push({ path: pathOf(result.target, keys), message })
  }
  if (problems.length > 0) return c.json(problemsBody(problems), 400)
}
