/**
 * The scale curve: `deno task bench:scale -- 1m.json 10m.json 30m.json` reads runs that
 * `deno task bench -- --only latency --save FILE` wrote on organizations of different sizes
 * and prints, per dashboard request, its HTTP p95 at each size and how much it grew from
 * the smallest to the largest, as the markdown table the README shows.
 */
import { commandLine } from '../../scripts/cli.ts'
import { type Stats, TARGETS } from './measure.ts'

/** One `bench --save` file: the bench organization's size, the load, each request's figures. */
export type SavedRun = {
  at: string
  events: number
  metrics: number
  /** One-minute load average when the run ended. */
  load: number
  rows: { name: string; http: Stats; sql: Stats }[]
}

const cli = commandLine(
  `usage: deno task bench:scale -- FILE...

Prints the HTTP p95 of every dashboard request at each bench organization size, from files
written by \`deno task bench -- --only latency --save FILE\`, smallest organization first.`,
  {},
)

/** "1M", "10M", "250k": an event count as the table's column heads show it. */
export function sizeLabel(events: number): string {
  if (events >= 1_000_000) return `${+(events / 1_000_000).toFixed(1)}M`
  if (events >= 1_000) return `${+(events / 1_000).toFixed(1)}k`
  return String(events)
}

/**
 * The markdown table of `runs` (sorted by size): one row per request measured in any run, a
 * column per run (p95, with ✗ past the target), and the growth from the first to the last.
 */
export function scaleTable(runs: SavedRun[]): string {
  const sorted = runs.toSorted((a, b) => a.events - b.events)
  const names = [...new Set(sorted.flatMap((r) => r.rows.map((row) => row.name)))]
  const head = [
    'request (HTTP p95, ms)',
    ...sorted.map((r) => `${sizeLabel(r.events)} (load ${r.load.toFixed(1)})`),
    `${sizeLabel(sorted[0].events)} → ${sizeLabel(sorted.at(-1)!.events)}`,
  ]
  const lines = names.map((name) => {
    const p95s = sorted.map((r) => r.rows.find((row) => row.name === name)?.http.p95)
    const cells = p95s.map((p) =>
      p === undefined ? 'not run' : `${p.toFixed(1)}${p > TARGETS.p95Ms ? ' ✗' : ''}`
    )
    const [first, last] = [p95s[0], p95s.at(-1)]
    const growth = first !== undefined && last !== undefined && sorted.length > 1
      ? `×${(last / first).toFixed(1)}`
      : ''
    return [name, ...cells, growth]
  })
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [
    row(head),
    row(head.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...lines.map(row),
  ].join('\n')
}

if (import.meta.main) {
  cli.parse(Deno.args.filter((a) => a === '--' || a.startsWith('-')))
  const files = Deno.args.filter((a) => a !== '--' && !a.startsWith('-'))
  if (files.length === 0) cli.fail('name at least one file written by `bench --save`')
  const runs: SavedRun[] = []
  for (const file of files) {
    try {
      runs.push(JSON.parse(await Deno.readTextFile(file)))
    } catch (err) {
      cli.fail(`${file}: ${(err as Error).message}`)
    }
  }
  console.log(
    `${scaleTable(runs)}\n\n✗: over the ${TARGETS.p95Ms} ms p95 target. Runs: ` +
      runs.map((r) => `${sizeLabel(r.events)} at ${r.at}`).join(', '),
  )
}
