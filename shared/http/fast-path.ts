/**
 * A zod schema with a fast path: a hand-written check that recognizes the common, certainly
 * valid shape of a hot route's body and returns it as is, so zod's per-field machinery runs
 * only for the rest. The schema stays the one source of truth: whatever the check does not
 * accept (anything unusual, every invalid body) goes to zod, whose issues become the 400.
 */
import type { z } from 'zod'

/**
 * A check that returns true only for values the schema accepts unchanged (its output would
 * deep-equal its input). Returning false is always safe; it only costs speed.
 */
export type CertainlyValid<T> = (value: unknown) => value is T

/**
 * `schema` whose `safeParse` and `safeParseAsync` (what Hono's zod validator calls) skip
 * zod when `certainlyValid` accepts the value. `schema` must be an instance of its own
 * (e.g. the result of `.openapi(name)`), since its methods are replaced; keep the plain
 * schema to test the check against (tests/events/fast_batch_test.ts does).
 *
 * @example
 * export const Batch = withFastPath(BatchSchema.openapi('Batch'), isPlainBatch)
 */
export function withFastPath<S extends z.ZodType>(
  schema: S,
  certainlyValid: CertainlyValid<z.output<S>>,
): S {
  const slow = schema.safeParse.bind(schema)
  const slowAsync = schema.safeParseAsync.bind(schema)
  const fast = (value: unknown) => ({ success: true as const, data: value as z.output<S> })
  Object.assign(schema, {
    safeParse: (value: unknown, params?: z.core.ParseContext<z.core.$ZodIssue>) =>
      certainlyValid(value) ? fast(value) : slow(value, params),
    safeParseAsync: (value: unknown, params?: z.core.ParseContext<z.core.$ZodIssue>) =>
      certainlyValid(value) ? Promise.resolve(fast(value)) : slowAsync(value, params),
  })
  return schema
}
