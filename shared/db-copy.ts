/**
 * COPY ... FROM STDIN in a transaction of its own, as the service: the cheapest way to hand
 * Postgres many rows. It skips parsing the batch as one JSON document and the executor's
 * work per row of INSERT ... SELECT: ~28% less Postgres CPU for a 1,000-event batch
 * (docs/performance/ingestion.md).
 *
 * COPY cannot skip duplicates and postgres.js 3.4 loses the error of a COPY that fails
 * after its data was sent (it has already resolved the query with the stream), so the
 * outcome is read from COMMIT: Postgres answers a COMMIT of a failed transaction with
 * ROLLBACK. A failed COPY returns false and the caller stores the batch with a statement,
 * whose error, if there still is one, is reported as usual.
 */
import type { Writable } from 'node:stream'
import { db, discardClient, isConnectionLost, poolMode, settingsOf } from './db.ts'

/** A value for COPY's text format: backslash, tab, newline and carriage return escaped. */
export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N'
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, escapeChar) : value
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }
const escapeChar = (c: string) => ESCAPES[c]

/** Whether `copyAsService` can run here: not through a transaction pooler (see below). */
export function canCopy(): boolean {
  db()
  return poolMode() === 'session'
}

/**
 * Runs `copy` (`COPY <table> (<columns>) FROM STDIN`) with `rows` (lines of COPY text, each
 * ending in a newline) in one transaction as the service, and commits. True when the rows
 * were stored, false when the COPY failed and nothing was. Session pool mode only
 * (`canCopy`): a transaction pooler would need the steps one at a time.
 *
 * @example
 * const stored = await copyAsService('copy public.t (a, b) from stdin', 'x\t1\n')
 */
export async function copyAsService(copy: string, rows: string): Promise<boolean> {
  const pool = db()
  const sql = await pool.reserve()
  let lost: unknown
  try {
    // BEGIN and the settings go ahead of the COPY, unanswered, as in inOneTrip.
    const opening = [sql`begin`.execute(), settingsOf(sql, 'service').execute()]
    const stream = await (sql.unsafe(copy).writable() as Promise<Writable>)
    await sendRows(stream, rows)
    const [committed] = await Promise.all([sql`commit`.execute(), ...opening])
    return (committed as unknown as { command: string }).command === 'COMMIT'
  } catch (err) {
    if (!isConnectionLost(err)) {
      // The transaction failed before any row was sent (BEGIN, the settings or the COPY
      // itself): end it, so the connection goes back clean.
      await sql`rollback`.catch(() => {})
      throw err
    }
    lost = err
    throw err
  } finally {
    if (lost) discardClient(pool)
    else sql.release()
  }
}

/**
 * Writes the rows and ends the COPY. postgres.js sends CopyDone from the stream's final
 * step, which runs as soon as the data is on the socket; a COPY the server refused while
 * the data was arriving errors the stream instead. Either way the connection then takes
 * the next statement.
 */
function sendRows(stream: Writable, rows: string): Promise<void> {
  return new Promise((resolve) => {
    stream.on('error', () => resolve())
    stream.write(rows, () => {
      stream.end()
      resolve()
    })
  })
}
