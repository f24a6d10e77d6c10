/**
 * Text Postgres cannot hold: NUL (U+0000), which neither `text` nor `jsonb` accepts, and
 * unpaired UTF-16 surrogates, which UTF-8 cannot encode (postgres.js would silently turn
 * them into U+FFFD, and `jsonb` refuses their `\ud800` escapes). Checked once for every
 * string of every request by the validation hook, so no route has to remember it.
 */

/** At most this many problems are reported; a hostile body could hold millions. */
const MAX_PROBLEMS = 20

/** Why `text` cannot be stored, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  if (text.includes('\0')) return 'must not contain NUL (U+0000), which cannot be stored'
  if (!text.isWellFormed()) return 'must not contain an unpaired surrogate (invalid Unicode)'
  return undefined
}

const isPlainObject = (value: object) => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// Matches exactly the strings unstorableReason refuses: NUL, or a surrogate, paired or not.
// Finding none in one pass is far cheaper than the walk that builds paths
// (docs/performance/ingestion.md), and nearly every request has none.
const SUSPECT = /[\0\uD800-\uDFFF]/

function hasSuspectText(value: unknown): boolean {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (typeof item === 'string') {
      if (SUSPECT.test(item)) return true
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) pending.push(item[i])
    } else if (typeof item === 'object' && item !== null && isPlainObject(item)) {
      for (const key in item) {
        if (SUSPECT.test(key)) return true
        pending.push((item as Record<string, unknown>)[key])
      }
    }
  }
  return false
}

// A container still to visit, linked to its parent so a path is only built for a problem.
type Visit = { value: object; key: PropertyKey | undefined; parent: Visit | undefined }

/** A path deeper than this is cut, so JSON nested a million deep names a short path. */
const MAX_PATH_KEYS = 16

function keysOf(visit: Visit | undefined): PropertyKey[] {
  const keys: PropertyKey[] = []
  for (let v = visit; v && v.key !== undefined; v = v.parent) keys.push(v.key)
  keys.reverse()
  return keys.length > MAX_PATH_KEYS ? [...keys.slice(0, MAX_PATH_KEYS), '…'] : keys
}

/** One string that cannot be stored: the keys leading to it, and why. */
export type UnstorableText = { keys: PropertyKey[]; message: string }

/**
 * Every string (and object key) in `value` that Postgres cannot store, with the keys
 * leading to it (a bad key is reported at its object). Walks arrays and plain objects
 * without recursion, so JSON nested thousands deep is fine.
 *
 * @example
 * unstorableText({ tags: ['ok', 'a\u0000'] }) // [{ keys: ['tags', 1], message: 'must not …' }]
 */
export function unstorableText(value: unknown): UnstorableText[] {
  if (!hasSuspectText(value)) return []
  const problems: UnstorableText[] = []
  const report = (keys: PropertyKey[], message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ keys, message })
  }
  const check = (child: unknown, key: PropertyKey | undefined, parent: Visit | undefined) => {
    if (typeof child === 'string') {
      const reason = unstorableReason(child)
      if (reason) report(key === undefined ? [] : keysOf({ value: {}, key, parent }), reason)
    } else if (typeof child === 'object' && child !== null) {
      pending.push({ value: child, key, parent })
    }
  }
  const pending: Visit[] = []
  check(value, undefined, undefined)
  while (pending.length > 0 && problems.length < MAX_PROBLEMS) {
    const visit = pending.pop()!
    const { value: container } = visit
    if (Array.isArray(container)) {
      for (let i = container.length - 1; i >= 0; i--) check(container[i], i, visit)
    } else if (isPlainObject(container)) {
      const entries = Object.entries(container)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]
        const reason = unstorableReason(key)
        if (reason) report(keysOf(visit), `a key ${reason}`)
        check(child, key, visit)
      }
    }
  }
  return problems
}
