/**
 * GET /dashboard/breakdown: one series over the window split by dimension, source,
 * event name or an event property, sorted and paginated, with each group's share of the
 * total; as JSON or as a CSV attachment.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { asUser, type Tx } from '../../../shared/db.ts'
import { json, userRoute } from '../../../shared/http/openapi.ts'
import { validationFailed } from '../../../shared/http/validation.ts'
import { csvContent, csvResponse, formatParam, wantsCsv } from './csv.ts'
import {
  checkFiltersApply,
  type Field,
  fieldApplies,
  fieldColumn,
  fieldMismatch,
  fieldName,
  type Filter,
  filtersParam,
  filterSql,
  needsRawEvents,
  parseField,
} from './filters.ts'
import { seriesListSchema, type SeriesSpec } from './measures.ts'
import { addDays, rangeQuerySchema, withRangeRules } from './range.ts'
import { inTimezone, type ReportScope, reportScope, WindowSchema } from './scope.ts'

export const SORTS = ['value_desc', 'value_asc', 'key_asc', 'key_desc'] as const
type Sort = typeof SORTS[number]

const BreakdownQuery = withRangeRules(rangeQuerySchema.extend({
  series: seriesListSchema(1).openapi({
    type: 'string',
    description: 'One series: metric:<name>, event:<name> or events',
    example: 'metric:sessions',
  }),
  by: fieldName.openapi({
    description: 'dimension or source (metric series); event_name or property.<key> (events)',
    example: 'dimension',
  }),
  limit: z.coerce.number().int().min(1).max(1000).default(10),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  sort: z.enum(SORTS).default('value_desc'),
  filters: filtersParam.optional(),
  format: formatParam,
})).superRefine((q, ctx) => {
  checkFiltersApply(q.filters, q.series, ctx)
  const spec = q.series?.[0]
  if (spec && q.by && !fieldApplies(parseField(q.by), spec)) {
    ctx.addIssue({ code: 'custom', path: ['by'], message: fieldMismatch(q.by, spec) })
  }
})

const Group = z.object({
  key: z.string().nullable().openapi({
    description: "The group's value; '' is a metric without dimension, null an event " +
      'without the property',
  }),
  value: z.number(),
  share: z.number().nullable().openapi({ description: 'value / total (0-1); null if total is 0' }),
}).openapi('BreakdownGroup')

const Breakdown = z.object({
  timezone: z.string(),
  window: WindowSchema,
  series: z.string(),
  by: z.string(),
  sort: z.enum(SORTS),
  limit: z.number().int(),
  offset: z.number().int(),
  total_groups: z.number().int(),
  total: z.number().openapi({ description: 'Grand total over all groups' }),
  groups: z.array(Group),
}).openapi('Breakdown')

const breakdownRoute = userRoute({
  method: 'get',
  path: '/breakdown',
  summary: 'One series split into groups, sorted and paginated',
  request: { query: BreakdownQuery },
  responses: {
    200: {
      description: 'A page of groups; CSV has the columns key, value, share',
      content: { ...json(Breakdown, '').content, ...csvContent },
    },
  },
})

type Row = {
  total_groups: number
  total: number
  key: string | null
  value: number | null
  share: number | null
}

function orderBy(tx: Tx, sort: Sort) {
  switch (sort) {
    case 'value_desc':
      return tx`v desc, key asc nulls last`
    case 'value_asc':
      return tx`v asc, key asc nulls last`
    case 'key_asc':
      return tx`key asc nulls last`
    case 'key_desc':
      return tx`key desc nulls last`
  }
}

/** The grouped rows of the series: `(key, v)`, before sorting and paging. */
function groupsSql(tx: Tx, spec: SeriesSpec, by: Field, filters: Filter[], scope: ReportScope) {
  const { org, tz, window } = scope
  if (spec.kind === 'metric') {
    return tx`
      select ${fieldColumn(tx, 'metrics', by)} as key, sum(m.value) as v
      from public.metrics m
      where m.org_id = ${org} and m.metric_name = ${spec.name}
        and m.metric_date >= ${window.from}::date and m.metric_date <= ${window.to}::date
        ${filterSql(tx, 'metrics', filters)}
      group by 1`
  }
  const lo = tx`(${window.from}::date::timestamp at time zone ${tz}::text)`
  const hi = tx`(${addDays(window.to, 1)}::date::timestamp at time zone ${tz}::text)`
  if (by.kind === 'property' || needsRawEvents(filters)) {
    const name = spec.kind === 'event' ? tx`and e.name = ${spec.name}` : tx``
    return tx`
      select ${fieldColumn(tx, 'events', by)} as key, count(*)::numeric as v
      from public.events e
      where e.org_id = ${org} ${name} and e.occurred_at >= ${lo} and e.occurred_at < ${hi}
        ${filterSql(tx, 'events', filters)}
      group by 1`
  }
  const name = spec.kind === 'event' ? tx`and ec.name = ${spec.name}` : tx``
  return tx`
    select ec.name as key, sum(ec.events) as v
    from public.event_counts ec
    where ec.org_id = ${org} ${name} and ec.bucket >= ${lo} and ec.bucket < ${hi}
      ${filterSql(tx, 'event_counts', filters)}
    group by 1`
}

type Page = { filters?: Filter[]; sort: Sort; offset: number; limit: number }

/**
 * One page of groups with the number of groups and the grand total on every row.
 * Exported for the benchmark, which runs the same SQL outside HTTP.
 */
export function breakdownRows(
  tx: Tx,
  spec: SeriesSpec,
  by: Field,
  scope: ReportScope,
  page: Page,
): Promise<Row[]> {
  return inTimezone(scope.tz, () =>
    tx<Row[]>`
      with g as (${groupsSql(tx, spec, by, page.filters ?? [], scope)}),
      ranked as (select key, v, row_number() over (order by ${
      orderBy(tx, page.sort)
    }) as rn from g),
      t as (select count(*)::int as n, coalesce(sum(v), 0) as total from g)
      select t.n as total_groups, t.total::float8 as total, r.key, r.v::float8 as value,
             (r.v / nullif(t.total, 0))::float8 as share
      from t left join ranked r on r.rn > ${page.offset} and r.rn <= ${page.offset + page.limit}
      order by r.rn`)
}

export const breakdown = new OpenAPIHono({ defaultHook: validationFailed })

breakdown.openapi(breakdownRoute, async (c) => {
  const q = c.req.valid('query')
  const spec = q.series[0]
  const by = parseField(q.by)
  const body = await asUser(c.get('user').claims, async (tx) => {
    const scope = await reportScope(tx, q)
    const rows = await breakdownRows(tx, spec, by, scope, q)
    return {
      timezone: scope.tz,
      window: scope.window,
      series: spec.id,
      by: q.by,
      sort: q.sort,
      limit: q.limit,
      offset: q.offset,
      total_groups: rows[0]?.total_groups ?? 0,
      total: rows[0]?.total ?? 0,
      groups: rows.filter((r) => r.value !== null).map((r) => ({
        key: r.key,
        value: r.value as number,
        share: r.share,
      })),
    }
  })
  if (wantsCsv(c, q.format)) {
    const name = `breakdown-${q.by}-${body.window.from}-${body.window.to}.csv`
    return csvResponse(
      c,
      name,
      ['key', 'value', 'share'],
      body.groups.map((g) => [g.key, g.value, g.share]),
    )
  }
  return c.json(body, 200)
})
