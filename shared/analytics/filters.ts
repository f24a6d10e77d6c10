/**
 * The filter language shared by tiles, series and breakdown: a JSON array in the
 * `filters` query parameter, e.g.
 * `filters=[{"field":"dimension","op":"is","value":"organic"}]`, every filter ANDed.
 *
 * Fields: `dimension` and `source` filter metric rows; `event_name` and
 * `property.<key>` filter events. Ops: `is`, `is_not`, `contains` (case-insensitive
 * substring) and `in` (value is an array). Filters compile to bound SQL parameters; only
 * column names chosen from a fixed list are ever spliced in.
 */
import { z } from '@hono/zod-openapi'
import type { Tx } from '../db.ts'
import type { SeriesSpec } from './measures.ts'

export const FILTER_OPS = ['is', 'is_not', 'contains', 'in'] as const
export type FilterOp = typeof FILTER_OPS[number]
export const MAX_FILTERS = 20

/** What a filter or a breakdown looks at. */
export type Field =
  | { kind: 'dimension' | 'source' | 'event_name'; key: null }
  | { kind: 'property'; key: string }

/** One validated filter; `value` is an array exactly when op is `in`. */
export type Filter = { field: Field; name: string; op: FilterOp; value: string | string[] }

const FIELD = /^(dimension|source|event_name|property\.[A-Za-z0-9_$:.-]{1,100})$/
export const FIELD_HINT = 'expected dimension, source, event_name or property.<key>'

/** Parses a field name (already checked against FIELD). */
export function parseField(name: string): Field {
  if (name.startsWith('property.')) return { kind: 'property', key: name.slice(9) }
  return { kind: name as 'dimension' | 'source' | 'event_name', key: null }
}

/** True when the field exists on the rows of this kind of series. */
export function fieldApplies(field: Field, spec: SeriesSpec): boolean {
  const onMetrics = field.kind === 'dimension' || field.kind === 'source'
  return onMetrics === (spec.kind === 'metric')
}

/** Why a field cannot be used with a series, for 400 messages. */
export function fieldMismatch(name: string, spec: SeriesSpec): string {
  return spec.kind === 'metric'
    ? `${name} filters events and does not apply to metric series (${spec.id})`
    : `${name} filters metrics and does not apply to event series (${spec.id})`
}

/** The field name schema, shared with breakdown's `by`. */
export const fieldName = z.string().regex(FIELD, FIELD_HINT)

const scalar = (v: unknown) =>
  (typeof v === 'string' && v.length <= 200) || typeof v === 'number' || typeof v === 'boolean'

const filterSchema = z.strictObject({
  field: fieldName,
  op: z.enum(FILTER_OPS),
  value: z.unknown(),
}).transform((f, ctx) => {
  if (f.op === 'in') {
    if (!Array.isArray(f.value) || f.value.length < 1 || f.value.length > 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: 'in needs an array of 1-100 values',
      })
      return z.NEVER
    }
    const bad = f.value.findIndex((v) => !scalar(v))
    if (bad >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['value', bad],
        message: 'expected a string (≤200 characters), number or boolean',
      })
      return z.NEVER
    }
    return { field: parseField(f.field), name: f.field, op: f.op, value: f.value.map(String) }
  }
  if (!scalar(f.value)) {
    ctx.addIssue({
      code: 'custom',
      path: ['value'],
      message: `${f.op} needs one string (≤200 characters), number or boolean`,
    })
    return z.NEVER
  }
  return { field: parseField(f.field), name: f.field, op: f.op, value: String(f.value) }
})

/** The `filters` query parameter: a JSON-encoded array of filters. */
export const filtersParam = z.string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON array of filters' })
      return z.NEVER
    }
  })
  .pipe(z.array(filterSchema).max(MAX_FILTERS, `at most ${MAX_FILTERS} filters`))
  .openapi({
    type: 'string',
    description: 'JSON array of filters, all of which must match: ' +
      '[{"field": "dimension"|"source"|"event_name"|"property.<key>", ' +
      '"op": "is"|"is_not"|"contains"|"in", "value": string | string[] (for in)}]. ' +
      'dimension and source apply to metric series, event_name and property.<key> to ' +
      'event series; contains is a case-insensitive substring match.',
    example: '[{"field":"dimension","op":"in","value":["organic","paid"]}]',
  })

/**
 * Adds a 400 issue for each filter that does not apply to one of the series.
 * For use in a query schema's superRefine.
 */
export function checkFiltersApply(
  filters: Filter[] | undefined,
  specs: SeriesSpec[] | undefined,
  ctx: z.RefinementCtx,
): void {
  for (const [i, f] of (filters ?? []).entries()) {
    const spec = specs?.find((s) => !fieldApplies(f.field, s))
    if (spec) {
      ctx.addIssue({
        code: 'custom',
        path: ['filters', i, 'field'],
        message: fieldMismatch(f.name, spec),
      })
    }
  }
}

/** True when some filter needs the raw events table (event properties are not rolled up). */
export function needsRawEvents(filters: Filter[]): boolean {
  return filters.some((f) => f.field.kind === 'property')
}

/** The tables a condition can be compiled against, by their alias in our SQL. */
export type FilterTarget = 'metrics' | 'event_counts' | 'events'

/** The SQL expression of a field on a target table (from a fixed list, never user text). */
export function fieldColumn(tx: Tx, target: FilterTarget, field: Field) {
  switch (field.kind) {
    case 'dimension':
      return tx`m.dimension`
    case 'source':
      return tx`m.source`
    case 'event_name':
      return target === 'events' ? tx`e.name` : tx`ec.name`
    case 'property':
      return tx`(e.properties ->> ${field.key}::text)`
  }
}

function condition(tx: Tx, target: FilterTarget, f: Filter) {
  const col = fieldColumn(tx, target, f.field)
  switch (f.op) {
    case 'is':
      return tx`${col} = ${f.value as string}::text`
    case 'is_not':
      // A missing property counts as "not this value".
      return tx`${col} is distinct from ${f.value as string}::text`
    case 'contains':
      return tx`strpos(lower(${col}), lower(${f.value as string}::text)) > 0`
    case 'in':
      return tx`${col} = any(${f.value as string[]}::text[])`
  }
}

/**
 * `and <cond> and <cond> ...` for the filters, or an empty fragment, to append to a
 * where clause over `target` (aliases m, ec, e).
 */
export function filterSql(tx: Tx, target: FilterTarget, filters: Filter[]) {
  return filters.reduce((sql, f) => tx`${sql} and ${condition(tx, target, f)}`, tx``)
}
