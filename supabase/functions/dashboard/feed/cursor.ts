/**
 * The feed's opaque cursor: base64url of the last event's position, `[occurred_at, id]`,
 * with occurred_at to the microsecond as Postgres stores it (a JS Date would round to the
 * millisecond and could skip or repeat events that share one).
 */

import type { FeedPosition } from '../../../../shared/analytics/feed.ts'

const MICRO_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/

/** The cursor that continues after `position`. */
export function encodeCursor(position: FeedPosition): string {
  const bytes = new TextEncoder().encode(JSON.stringify([position.occurredAt, position.id]))
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_')
    .replace(/=+$/, '')
}

/** The position inside a cursor, or null when it is not one this API made. */
export function decodeCursor(cursor: string): FeedPosition | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'))
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(binary, (ch) => ch.charCodeAt(0)),
    )
    const value: unknown = JSON.parse(text)
    if (!Array.isArray(value) || value.length !== 2) return null
    const [occurredAt, id] = value
    if (typeof occurredAt !== 'string' || !MICRO_ISO.test(occurredAt)) return null
    // A real instant: Date normalizes impossible dates (30 February), so compare back.
    const ms = Date.parse(occurredAt)
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 23) !== occurredAt.slice(0, 23)) {
      return null
    }
    if (typeof id !== 'string' || id.length < 1 || id.length > 128) return null
    return { occurredAt, id }
  } catch {
    return null
  }
}
