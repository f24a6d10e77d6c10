/**
 * The Lytics benchmark, against a running stack that seed:large has filled:
 * `deno task bench -- --help` lists its options.
 *
 * Prints figures, not pass/fail: dashboard latency through the gateway and as raw SQL (the
 * gap is the HTTP overhead), ingestion rows per second, and requests per second of the
 * authentication path, each beside its target. Run it from its own process: the gateway
 * is a single Deno process, and a client inside it would share its event loop.
 */
import postgres from 'postgres'
import { commandLine } from '../../scripts/cli.ts'
import { DEV_DB_URL, seedLarge } from '../../scripts/seed-large.ts'
import {
  asUser,
  type Bench,
  type BenchOptions,
  findBenchOrg,
  openBench,
  request,
} from './context.ts'
import { DASHBOARD_CASES, type DashboardCase } from './dashboard.ts'
import { count, ms, printTable, type Stats, stats, TARGETS, timed } from './measure.ts'
import type { SavedRun } from './scale.ts'
import { measureAuthPath, measureIngestion } from './throughput.ts'

type Latency = { c: DashboardCase; http: Stats; sql: Stats }

async function measureCase(bench: Bench, c: DashboardCase): Promise<Latency> {
  const n = bench.options.requests
  const http = async () =>
    (await request(bench, c.path, { token: bench.bench.token })).arrayBuffer()
  const sql = () => asUser(bench.sql, bench.bench.claims, c.sql)
  // A slow request gets fewer samples rather than stalling the run: each case stops at
  // its time budget, after at least 5 samples.
  const deadline = performance.now() + bench.options.budget * 1000
  for (let i = 0; i < Math.min(bench.options.warmup, n); i++) {
    if (i > 0 && performance.now() > deadline - bench.options.budget * 800) break
    await http()
    await sql()
  }
  // Interleaved, so whatever else runs on the machine slows both paths alike.
  const h: number[] = []
  const s: number[] = []
  for (let i = 0; i < n && (i < 5 || performance.now() < deadline); i++) {
    h.push(await timed(http))
    s.push(await timed(sql))
  }
  return { c, http: stats(h), sql: stats(s) }
}

// EXPLAIN (ANALYZE, BUFFERS) of each statement of a case, with the parameters it was sent.
async function explain(bench: Bench, c: DashboardCase): Promise<void> {
  bench.capture.statements = []
  bench.capture.on = true
  await asUser(bench.sql, bench.bench.claims, c.sql)
  bench.capture.on = false
  const statements = bench.capture.statements.filter((s) => !/set_config\('request/.test(s.text))
  for (const { text, params } of statements) {
    if (/^\s*(begin|commit|rollback)\b/i.test(text)) continue
    const plan = await asUser(
      bench.sql,
      bench.bench.claims,
      (tx) => tx.unsafe(`explain (analyze, buffers) ${text}`, params as string[]),
    )
    console.log(`\n--- ${c.name}\n${text.trim()}\n-- params: ${JSON.stringify(params)}`)
    for (const row of plan) console.log(row['QUERY PLAN'])
  }
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED'
}

function printLatency(rows: Latency[], requests: number): void {
  printTable(
    `Dashboard latency, ms (${requests} sequential requests per path after warm-up; ` +
      'SQL = the same queries as the same user over postgres.js)',
    [
      'request',
      'HTTP p50',
      'p95',
      'mean',
      'SQL p50',
      'p95',
      'mean',
      'overhead p50',
      'HTTP/SQL',
      `targets: p95 ≤ ${TARGETS.p95Ms}, overhead ≤ ${TARGETS.overheadP50Ms}`,
    ],
    rows.map(({ c, http, sql }) => {
      const overhead = http.p50 - sql.p50
      const targets = [
        `p95 ${verdict(http.p95 <= TARGETS.p95Ms)}`,
        `overhead ${verdict(overhead <= TARGETS.overheadP50Ms)}`,
      ].filter(Boolean).join(', ')
      return [
        `${c.name}${http.n < requests ? ` (n=${http.n}, time budget)` : ''}`,
        ms(http.p50),
        ms(http.p95),
        ms(http.mean),
        ms(sql.p50),
        ms(sql.p95),
        ms(sql.mean),
        ms(overhead),
        `${(http.p50 / sql.p50).toFixed(2)}x`,
        targets,
      ]
    }),
  )
}

const cli = commandLine(
  `usage: deno task bench -- [options]

Measures a running stack that seed:large has filled (or pass --seed).

  --url URL               the API gateway (default $LYTICS_API_URL or http://127.0.0.1:54321)
  --db URL                the database, as postgres (default $LYTICS_DB_URL or the dev stack's)
  --keys FILE             the stack's keys (default .local/dev/keys.json)
  --requests N            requests per dashboard case (default 200)
  --warmup N              warm-up requests per case (default 20)
  --budget SECONDS        the most one case may take; slow ones get fewer samples (default 60)
  --clients N             concurrent clients for auth and ingest (default 4)
  --only LIST             any of latency,auth,ingest (default all three)
  --cases LIST            dashboard cases whose names contain these (default all)
  --ingest-events N       events to send in the ingest run (default 300000)
  --ingest-metrics N      metric rows to send in the ingest run (default 100000)
  --auth-requests N       requests per client in the auth run (default 2000)
  --explain               print EXPLAIN (ANALYZE, BUFFERS) of every statement of each case
  --seed                  run seed:large (10M events, 1M metric rows) first if needed
  --save FILE             also write the figures as JSON, for \`deno task bench:scale\`
  -h, --help              this text`,
  {
    url: { type: 'string', default: Deno.env.get('LYTICS_API_URL') ?? 'http://127.0.0.1:54321' },
    db: { type: 'string', default: Deno.env.get('LYTICS_DB_URL') ?? DEV_DB_URL },
    keys: { type: 'string', default: '.local/dev/keys.json' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    budget: { type: 'string', default: '60' },
    clients: { type: 'string', default: '4' },
    'ingest-events': { type: 'string', default: '300000' },
    'ingest-metrics': { type: 'string', default: '100000' },
    'auth-requests': { type: 'string', default: '2000' },
    only: { type: 'string', default: 'latency,auth,ingest' },
    cases: { type: 'string', default: '' },
    explain: { type: 'boolean', default: false },
    seed: { type: 'boolean', default: false },
    save: { type: 'string', default: '' },
  } as const,
)

const PARTS = ['latency', 'auth', 'ingest']

function parseOptions(): BenchOptions & {
  seed: boolean
  only: string[]
  cases: string[]
  save: string
} {
  const values = cli.parse()
  const positive = (name: keyof typeof values) =>
    cli.wholeNumber(name, String(values[name]), { min: 1 })
  const only = values.only.split(',').map((s) => s.trim())
  const unknown = only.filter((part) => !PARTS.includes(part))
  if (unknown.length) cli.fail(`--only takes ${PARTS.join(',')}, not ${unknown.join(',')}`)
  return {
    url: values.url.replace(/\/+$/, ''),
    db: values.db,
    keys: values.keys,
    requests: positive('requests'),
    warmup: cli.wholeNumber('warmup', values.warmup),
    budget: positive('budget'),
    clients: positive('clients'),
    ingestEvents: positive('ingest-events'),
    ingestMetrics: positive('ingest-metrics'),
    authRequests: positive('auth-requests'),
    explain: values.explain,
    seed: values.seed,
    only,
    cases: values.cases.split(',').map((s) => s.trim()).filter(Boolean),
    save: values.save,
  }
}

// The run's latency figures as bench:scale reads them (tests/bench/scale.ts).
async function saveRun(
  file: string,
  org: { events: number | bigint; metrics: number | bigint },
  rows: Latency[],
): Promise<void> {
  const run: SavedRun = {
    at: new Date().toISOString(),
    events: Number(org.events),
    metrics: Number(org.metrics),
    load: Deno.loadavg()[0],
    rows: rows.map(({ c, http, sql }) => ({ name: c.name, http, sql })),
  }
  await Deno.writeTextFile(file, JSON.stringify(run, null, 2) + '\n')
  console.log(`\nsaved to ${file}`)
}

async function main(): Promise<number> {
  const options = parseOptions()
  const admin = postgres(options.db, { max: 2, onnotice: () => {} })
  try {
    let org = await findBenchOrg(admin)
    if (!org && options.seed) {
      await seedLarge(admin, { events: 10_000_000, metrics: 1_000_000 })
      org = await findBenchOrg(admin)
    }
    if (!org) {
      console.error(
        'The bench organization is missing: run `deno task seed:large` first ' +
          '(10M events, 1M metric rows), or pass --seed to run it now.',
      )
      return 1
    }
    const bench = await openBench(options, admin)
    console.log(
      `Lytics benchmark: ${options.url}, bench organization ${count(org.events)} ` +
        `events / ${count(org.metrics)} metric rows; ${navigator.hardwareConcurrency} CPUs, ` +
        `load average ${Deno.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    )
    try {
      if (options.only.includes('latency')) {
        const cases = DASHBOARD_CASES.filter((c) =>
          options.cases.length === 0 || options.cases.some((name) => c.name.includes(name))
        )
        const rows: Latency[] = []
        for (const c of cases) rows.push(await measureCase(bench, c))
        printLatency(rows, options.requests)
        if (options.save) await saveRun(options.save, org, rows)
        if (options.explain) { for (const c of cases) await explain(bench, c) }
      }
      if (options.only.includes('auth')) {
        const rates = await measureAuthPath(bench, options.authRequests)
        printTable(
          `Requests per second, ${options.clients} concurrent clients, ` +
            `${options.authRequests} requests each`,
          ['request', 'status', 'req/s', 'p50 ms', 'p95 ms'],
          rates.map((r) => [r.name, r.status, count(r.rps), ms(r.latency.p50), ms(r.latency.p95)]),
        )
      }
      if (options.only.includes('ingest')) {
        const results = await measureIngestion(bench)
        printTable(
          `Ingestion with an API key, ${options.clients} concurrent clients ` +
            '(into an organization made for the run, rollup trigger included; live = last 10 ' +
            'minutes, 200 actors a batch; backfill = a different actor and day for every event)',
          [
            'request',
            'shape',
            'batches',
            'rows/batch',
            'rows',
            'seconds',
            'rows/s',
            'p50 ms',
            'CPU µs/row: client',
            'gateway',
            'Postgres',
            'target',
          ],
          results.map((r) => [
            `POST ${r.path}`,
            r.shape,
            r.batches,
            count(r.batchSize),
            count(r.rows),
            r.seconds.toFixed(1),
            count(r.rows / r.seconds),
            ms(r.latency.p50),
            r.cpu ? r.cpu.client.toFixed(1) : '-',
            r.cpu ? r.cpu.gateway.toFixed(1) : '-',
            r.cpu ? r.cpu.postgres.toFixed(1) : '-',
            r.path === '/events'
              ? `≥ ${count(TARGETS.eventsPerSecond)} ${
                verdict(r.rows / r.seconds >= TARGETS.eventsPerSecond)
              }`
              : '',
          ]),
        )
      }
    } finally {
      await bench.sql.end({ timeout: 5 })
    }
    return 0
  } finally {
    await admin.end({ timeout: 5 })
  }
}

Deno.exit(await main())
