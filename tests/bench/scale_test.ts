/** Unit tests of the scale curve's table (tests/bench/scale.ts), which the README shows. */
import assert from 'node:assert/strict'
import { type SavedRun, scaleTable, sizeLabel } from './scale.ts'

const stats = (p95: number) => ({ n: 60, p50: p95 / 2, p95, mean: p95 / 2 })
const run = (events: number, load: number, rows: [string, number][]): SavedRun => ({
  at: '2026-12-01T06:00:00.000Z',
  events,
  metrics: 1_000_000,
  load,
  rows: rows.map(([name, p95]) => ({ name, http: stats(p95), sql: stats(p95 - 1) })),
})

Deno.test('sizes read as the README writes them', () => {
  assert.deepEqual([1_000_000, 10_117_928, 30_000_000, 250_000].map(sizeLabel), [
    '1M',
    '10.1M',
    '30M',
    '250k',
  ])
})

Deno.test('the scale table orders runs by size, marks misses and shows the growth', () => {
  const table = scaleTable([
    run(30_000_000, 0.8, [['tiles', 20], ['retention', 40]]),
    run(1_000_000, 1.25, [['tiles', 10], ['feed', 9]]),
  ])
  assert.deepEqual(table.split('\n'), [
    '| request (HTTP p95, ms) | 1M (load 1.3) | 30M (load 0.8) | 1M → 30M |',
    '| --- | ---: | ---: | ---: |',
    '| tiles | 10.0 | 20.0 | ×2.0 |',
    '| feed | 9.0 | not run |  |',
    '| retention | not run | 40.0 ✗ |  |',
  ])
})
