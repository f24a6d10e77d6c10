/**
 * CSV export: content negotiation (`format=csv` or `Accept: text/csv`), RFC 4180 quoting,
 * neutralized spreadsheet formulas, and a streamed `text/csv` attachment.
 */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { stream } from 'hono/streaming'

/** The `format` query parameter; without it, `Accept: text/csv` asks for CSV. */
export const formatParam = z.enum(['json', 'csv']).optional().openapi({
  description: 'Response format; default json, or csv when the Accept header asks for text/csv.',
})

/** True when the request asks for CSV rather than JSON. */
export function wantsCsv(c: Context, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv'
  return /(^|,)\s*text\/csv\b/i.test(c.req.header('accept') ?? '')
}

/** The OpenAPI description of a CSV response body. */
export const csvContent = {
  'text/csv': {
    schema: z.string().openapi({ description: 'CSV with a header row (RFC 4180, CRLF).' }),
  },
}

// Spreadsheets run a cell starting with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV cell: numbers as they are, text with formula starts neutralized by a leading
 * `'`, quoted when it holds a quote, comma or line break; null and undefined are empty.
 *
 * @example
 * csvCell('=1+1') // "'=1+1"
 * csvCell('a "b", c') // '"a ""b"", c"'
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  let text = String(value)
  if (FORMULA_START.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV record, CRLF-terminated. */
export function csvLine(cells: unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n'
}

const ROWS_PER_CHUNK = 500

/** What csvResponse sends: the attachment's name, its header row and its rows. */
export type CsvAttachment = { filename: string; header: string[]; rows: Iterable<unknown[]> }

/**
 * Streams `rows` under `header` as a `text/csv` attachment named `filename`.
 *
 * @example
 * return csvResponse(c, {
 *   filename: 'breakdown.csv',
 *   header: ['key', 'value'],
 *   rows: groups.map((g) => [g.key, g.value]),
 * })
 */
export function csvResponse(c: Context, { filename, header, rows }: CsvAttachment): Response {
  c.header('content-type', 'text/csv; charset=utf-8')
  c.header('content-disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
  c.header('cache-control', 'no-store')
  return stream(c, async (out) => {
    let chunk = csvLine(header)
    let n = 0
    for (const row of rows) {
      chunk += csvLine(row)
      if (++n % ROWS_PER_CHUNK === 0) {
        await out.write(chunk)
        chunk = ''
      }
    }
    if (chunk) await out.write(chunk)
  })
}
