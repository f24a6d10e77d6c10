/**
 * A TCP relay in front of a Postgres port that counts pipelined requests: a query a client
 * starts (Query, Parse or Bind) while one it sent earlier has not been answered with
 * ReadyForQuery. Supavisor's transaction mode loses or misroutes exactly those
 * (porsager/postgres#970, supabase/supavisor#1061, #1172), while PgBouncer tolerates them,
 * so passing through PgBouncer alone would not show that the functions never pipeline.
 *
 * Run as a program, it relays `--listen` to `--target` and writes its counts as JSON to
 * `--report` on SIGTERM (scripts/test does that for the pass through PgBouncer).
 */

/** What a watch has seen so far; `examples` shows the first few pipelined requests. */
export type WireCounts = {
  connections: number
  requests: number
  pipelined: number
  examples?: PipelinedExample[]
}

/**
 * A pipelined request, to find what sent it: the client's messages since its last answered
 * request (type letters, with the SQL of a Query or Parse), the new one last.
 */
export type PipelinedExample = { at: string; unanswered: number; messages: string[] }

const MAX_EXAMPLES = 5

/** A running watch: the port to connect to, its counts, and how to stop it. */
export type WireWatch = { port: number; counts: WireCounts; close: () => void }

const SSL_REQUEST = 80877103
const GSS_REQUEST = 80877104
const CANCEL_REQUEST = 80877102

/**
 * Relays 127.0.0.1:`listen` (0 for any free port) to 127.0.0.1:`target`, counting.
 *
 * @example
 * const watch = startWireWatch({ target: 5432 })
 * // connect to watch.port ... then: watch.counts.pipelined === 0
 */
export function startWireWatch(options: { target: number; listen?: number }): WireWatch {
  const counts: WireCounts = { connections: 0, requests: 0, pipelined: 0 }
  const listener = Deno.listen({ hostname: '127.0.0.1', port: options.listen ?? 0 })
  const open = new Set<Deno.Conn>()
  ;(async () => {
    for await (const client of listener) {
      open.add(client)
      relay(client, options.target, counts, open).catch(() => {})
    }
  })().catch(() => {})
  return {
    port: (listener.addr as Deno.NetAddr).port,
    counts,
    close: () => {
      listener.close()
      for (const conn of open) closeQuietly(conn)
    },
  }
}

async function relay(client: Deno.Conn, target: number, counts: WireCounts, open: Set<Deno.Conn>) {
  let server: Deno.Conn
  try {
    server = await Deno.connect({ hostname: '127.0.0.1', port: target })
  } catch {
    closeQuietly(client)
    return
  }
  open.add(server)
  // Requests sent and not yet answered; the startup counts as one until its ReadyForQuery.
  const state = { unanswered: 1, sslAnswer: false }
  const up = pump(client, server, frontendParser(state, counts))
  const down = pump(server, client, backendParser(state))
  await Promise.race([up, down])
  closeQuietly(client)
  closeQuietly(server)
  open.delete(client)
  open.delete(server)
}

type State = { unanswered: number; sslAnswer: boolean }
type Parser = (chunk: Uint8Array) => void

async function pump(from: Deno.Conn, to: Deno.Conn, parse: Parser) {
  const buf = new Uint8Array(64 * 1024)
  while (true) {
    const n = await from.read(buf).catch(() => null)
    if (n === null) return
    const chunk = buf.slice(0, n)
    parse(chunk)
    let written = 0
    while (written < n) written += await to.write(chunk.subarray(written))
  }
}

/** Splits a byte stream into messages: a type byte (unless `untyped`) and an int32 length. */
function messages(onMessage: (type: number, body: Uint8Array) => void, untyped: () => boolean) {
  let pending = new Uint8Array(0)
  return (chunk: Uint8Array) => {
    const all = new Uint8Array(pending.length + chunk.length)
    all.set(pending)
    all.set(chunk, pending.length)
    let at = 0
    while (true) {
      const header = untyped() ? 4 : 5
      if (all.length - at < header) break
      const view = new DataView(all.buffer, all.byteOffset + at)
      const type = untyped() ? 0 : all[at]
      const length = view.getInt32(header - 4)
      const end = at + header - 4 + length
      if (all.length < end) break
      onMessage(type, all.subarray(at + header, end))
      at = end
    }
    pending = all.slice(at)
  }
}

/** A message as an example shows it: its type letter, and the SQL of a Query or Parse. */
function describe(type: number, body: Uint8Array): string {
  const letter = String.fromCharCode(type)
  if (type !== 0x51 && type !== 0x50) return letter
  const text = new TextDecoder().decode(body)
  // Query: the SQL. Parse: a statement name, then the SQL, each NUL-terminated.
  const sql = type === 0x51 ? text : text.slice(text.indexOf('\0') + 1)
  return `${letter} ${sql.split('\0')[0].replace(/\s+/g, ' ').slice(0, 160)}`
}

function frontendParser(state: State, counts: WireCounts): Parser {
  let startup = true
  let recent: string[] = []
  const parse = messages((type, body) => {
    if (startup) {
      const code = new DataView(body.buffer, body.byteOffset).getInt32(0)
      if (code === SSL_REQUEST || code === GSS_REQUEST) {
        state.sslAnswer = true
        return
      }
      startup = false
      if (code !== CANCEL_REQUEST) counts.connections++
      return
    }
    const startsQuery = type === 0x51 || type === 0x50 || type === 0x42 // Q, P, B
    if (state.unanswered === 0) recent = []
    recent = [...recent.slice(-11), describe(type, body)]
    if (startsQuery && state.unanswered > 0) {
      counts.pipelined++
      const examples = counts.examples ??= []
      if (examples.length < MAX_EXAMPLES) {
        examples.push({
          at: new Date().toISOString(),
          unanswered: state.unanswered,
          messages: recent,
        })
      }
    }
    if (type === 0x51 || type === 0x53) { // Q and Sync each get one ReadyForQuery
      state.unanswered++
      counts.requests++
    }
  }, () => startup)
  return parse
}

function backendParser(state: State): Parser {
  const parse = messages((type) => {
    if (type === 0x5a) state.unanswered = Math.max(0, state.unanswered - 1) // Z
  }, () => false)
  return (chunk) => {
    // The answer to an SSL or GSS request is one byte, before any message.
    if (state.sslAnswer && chunk.length > 0) {
      state.sslAnswer = false
      chunk = chunk.subarray(1)
    }
    parse(chunk)
  }
}

function closeQuietly(conn: Deno.Conn) {
  try {
    conn.close()
  } catch {
    // Already closed.
  }
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`)
    if (i < 0) throw new Error(`--${name} is required`)
    return Deno.args[i + 1]
  }
  const watch = startWireWatch({ target: Number(arg('target')), listen: Number(arg('listen')) })
  const report = arg('report')
  const write = () => Deno.writeTextFileSync(report, JSON.stringify(watch.counts))
  write()
  Deno.addSignalListener('SIGTERM', () => {
    write()
    Deno.exit(0)
  })
}
