/**
 * What the assistant itself adds to a question, against a running stack whose functions
 * point at a fake model this script serves (so the model's own time is zero):
 * `deno task bench:assistant -- --help`. Each turn is a question answered with two tool
 * calls (compare_periods and breakdown over the demo organization's 28 days) and an
 * answer, streamed; the same two reports are timed through the dashboard for comparison.
 *
 * Start the stack with the fake model and a rate limit the run cannot reach, e.g.
 *   OPENAI_API_KEY=sk-bench OPENAI_BASE_URL=http://127.0.0.1:54363/v1 \
 *   ASSISTANT_REQUESTS_PER_MINUTE=100000 ./scripts/start
 */
import { createClient } from '@supabase/supabase-js'
import { commandLine } from '../../scripts/cli.ts'
import { startFakeOpenAI } from '../fakes/openai/mod.ts'
import { parseFrames } from '../assistant/_sse.ts'
import { ms, printTable, stats, timed } from './measure.ts'

const cli = commandLine(
  `usage: deno task bench:assistant -- [--url URL] [--keys FILE] [--model-port N] [--turns N]

  --url         the stack's API URL (default http://127.0.0.1:54321)
  --keys        its keys.json (default .local/dev/keys.json)
  --model-port  where the functions' OPENAI_BASE_URL points (default 54363)
  --turns       questions to time (default 30)`,
  {
    url: { type: 'string', default: 'http://127.0.0.1:54321' },
    keys: { type: 'string', default: '.local/dev/keys.json' },
    'model-port': { type: 'string', default: '54363' },
    turns: { type: 'string', default: '30' },
  },
)
const values = cli.parse()
const turns = cli.wholeNumber('turns', values.turns!, { min: 1 })
const port = cli.wholeNumber('model-port', values['model-port']!, { min: 1 })
const url = values.url!
const { publishableKey } = JSON.parse(await Deno.readTextFile(values.keys!))

const client = createClient(url, publishableKey, { auth: { persistSession: false } })
const { data, error } = await client.auth.signInWithPassword({
  email: 'demo@lytics.dev',
  password: 'lytics-demo-2026',
})
if (error || !data.session) cli.fail(`cannot sign in as the demo user: ${error?.message}`)
const token = data.session!.access_token
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
const model = startFakeOpenAI({ port })

const created = await fetch(`${url}/functions/v1/assistant/conversations`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ title: 'bench' }),
})
if (created.status !== 201) cli.fail(`cannot start a conversation: ${await created.text()}`)
const conversation = (await created.json()).id

const range = { range: '28d' }
/** One streamed turn: its total time, until the first frame, and each tool's start→end. */
async function turn() {
  model.reply(
    {
      toolCalls: [{
        name: 'compare_periods',
        arguments: { series: ['metric:sessions'], ...range },
      }],
    },
    {
      toolCalls: [{
        name: 'breakdown',
        arguments: { series: 'metric:sessions', by: 'dimension', ...range },
      }],
    },
    { text: 'Sessions moved as the tools say.' },
  )
  const started = performance.now()
  const res = await fetch(`${url}/functions/v1/assistant/conversations/${conversation}/messages`, {
    method: 'POST',
    headers: { ...headers, accept: 'text/event-stream' },
    body: JSON.stringify({ content: 'How did sessions change, and where?' }),
  })
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  let first = 0
  const tools: number[] = []
  let toolStart = 0
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const parsed = parseFrames(buffer + r.value)
    buffer = parsed.rest
    for (const frame of parsed.frames) {
      const at = performance.now() - started
      if (!first) first = at
      if (frame.event === 'tool_start') toolStart = at
      if (frame.event === 'tool_end') tools.push(at - toolStart)
      if (frame.event === 'error') cli.fail(`the turn failed: ${JSON.stringify(frame.data)}`)
    }
  }
  return { total: performance.now() - started, first, tools }
}

const dashboard = (path: string) => () =>
  fetch(`${url}/functions/v1/dashboard/${path}`, { headers }).then((r) => r.arrayBuffer())

const samples = { total: [] as number[], first: [] as number[], tool: [] as number[] }
const direct = { tiles: [] as number[], breakdown: [] as number[] }
await turn() // warm-up
for (let i = 0; i < turns; i++) {
  const t = await turn()
  samples.total.push(t.total)
  samples.first.push(t.first)
  samples.tool.push(...t.tools)
  direct.tiles.push(await timed(dashboard('tiles?series=metric:sessions&range=28d')))
  direct.breakdown.push(
    await timed(dashboard('breakdown?series=metric:sessions&by=dimension&range=28d')),
  )
}
await model.close()

const row = (name: string, s: number[]) => {
  const x = stats(s)
  return [name, x.n, ms(x.p50), ms(x.p95)]
}
printTable(`assistant, ${turns} streamed turns (3 model calls at zero latency, 2 tools)`, [
  'what',
  'n',
  'p50 ms',
  'p95 ms',
], [
  row('whole turn, request to last frame', samples.total),
  row('request to first frame (context, model, limits, round 1)', samples.first),
  row('one tool call, tool_start to tool_end', samples.tool),
  row('GET /dashboard/tiles, same series and range', direct.tiles),
  row('GET /dashboard/breakdown, same series and range', direct.breakdown),
])
