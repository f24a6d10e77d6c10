/**
 * tests/_helpers/wire_watch.ts, which scripts/test puts between the functions and
 * PgBouncer: it must see pipelining where postgres.js does pipeline, and none where each
 * query waits for the previous reply, or its zero on the pooled pass would prove nothing.
 */
import assert from 'node:assert/strict'
import postgres from 'postgres'
import { stack, test } from '../_helpers/stack.ts'
import { startWireWatch } from '../_helpers/wire_watch.ts'

async function watched(run: (sql: postgres.Sql) => Promise<unknown>) {
  const watch = startWireWatch({ target: Number(new URL(stack.dbUrl).port) })
  const url = new URL(stack.dbUrl)
  url.port = String(watch.port)
  const sql = postgres(url.href, { max: 1, prepare: false, onnotice: () => {} })
  try {
    await run(sql)
  } finally {
    await sql.end()
    watch.close()
  }
  return watch.counts
}

test('wire watch: concurrent queries on one connection are counted as pipelined', async () => {
  const counts = await watched((sql) => Promise.all([1, 2, 3, 4].map(() => sql`select 1`)))
  assert.equal(counts.connections, 1)
  assert.ok(counts.pipelined >= 1, `pipelined ${counts.pipelined}`)
  const example = counts.examples?.[0]
  assert.ok(example, 'the report shows what was pipelined')
  assert.match(example.messages.at(-1) ?? '', /^[QP] select 1$/, JSON.stringify(example))
})

test('wire watch: BEGIN sent together with the next statement is pipelined', async () => {
  const counts = await watched(async (sql) => {
    const reserved = await sql.reserve()
    const steps = [reserved`begin`, reserved`select ${1}::int`, reserved`commit`]
    await Promise.all(steps.map((q) => q.execute()))
    reserved.release()
  })
  assert.ok(counts.pipelined >= 1, `pipelined ${counts.pipelined}`)
})

test('wire watch: awaited queries and transactions are not pipelined', async () => {
  const counts = await watched(async (sql) => {
    for (let i = 0; i < 3; i++) await sql`select ${i}::int`
    await sql.begin(async (tx) => {
      await tx`select set_config('jit', 'off', true)`
      await tx`select ${'x'}::text`
      await tx.savepoint((sp) => sp`select 1`)
    })
  })
  assert.equal(counts.connections, 1)
  assert.ok(counts.requests >= 7, `requests ${counts.requests}`)
  assert.equal(counts.pipelined, 0)
  assert.equal(counts.examples, undefined)
})
