/**
 * The metric-name rule in TypeScript (shared/domain/metric-name.ts) accepts exactly what
 * the check on public.metrics.metric_name accepts, so a row that passes validation is
 * never refused by the database.
 */
import assert from 'node:assert/strict'
import { METRIC_NAME, MetricNameSchema } from '../../shared/domain/metric-name.ts'
import { adminSql, test } from '../_helpers/stack.ts'

const NAMES = [
  'sessions',
  'a',
  'Z',
  'page.views',
  'stripe:mrr',
  'a-b_c.d:e',
  'x'.repeat(100),
  'x'.repeat(101),
  '',
  '1day',
  '_hidden',
  '.dot',
  '-dash',
  'has space',
  'trailing ',
  ' leading',
  'slash/name',
  'semi;colon',
  "quote'",
  'line\nbreak',
  'newline\n',
  'tab\t',
  'café',
  'é',
  'Ａ', // fullwidth A
  'ß',
  '\u212a', // Kelvin sign, a K under case folding
  'a\u0301', // combining accent
  'emoji😀',
]

class RollBack extends Error {}

/** Whether the database stores each name in public.metrics, all in one rolled-back transaction. */
async function storedBySql(names: string[]): Promise<Map<string, boolean>> {
  const verdicts = new Map<string, boolean>()
  await adminSql.begin(async (tx) => {
    const [org] = await tx<{ id: string }[]>`
      insert into public.organizations (name, slug)
      values ('metric names', ${`names-${crypto.randomUUID().slice(0, 8)}`}) returning id`
    for (const name of names) {
      try {
        await tx.savepoint((sp) =>
          sp`insert into public.metrics (org_id, metric_name, metric_date, value)
             values (${org.id}, ${name}, '2026-01-01', 1)`
        )
        verdicts.set(name, true)
      } catch (e) {
        const err = e as { code?: string; constraint_name?: string }
        // Only the metric_name check may refuse: anything else is a broken test.
        if (err.code !== '23514' || !/metric_name/.test(err.constraint_name ?? '')) throw e
        verdicts.set(name, false)
      }
    }
    throw new RollBack()
  }).catch((e) => {
    if (!(e instanceof RollBack)) throw e
  })
  return verdicts
}

test('METRIC_NAME accepts exactly what the metrics.metric_name check accepts', async () => {
  const sql = await storedBySql(NAMES)
  for (const name of NAMES) {
    assert.equal(METRIC_NAME.test(name), sql.get(name), `${JSON.stringify(name)}`)
    assert.equal(MetricNameSchema.safeParse(name).success, sql.get(name), JSON.stringify(name))
  }
  // Both kinds are in the sample, or the comparison proves little.
  assert.ok([...sql.values()].includes(true) && [...sql.values()].includes(false))
})
