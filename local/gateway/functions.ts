/**
 * Loads every function under supabase/functions the way the edge runtime does: by
 * running its index.ts, whose `Deno.serve(app.fetch)` is captured instead of listening.
 */

export type Handler = (req: Request) => Response | Promise<Response>

const SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/

/** Imports each function's entrypoint and returns its request handler by slug. */
export async function loadFunctions(functionsDir: URL): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>()
  const realServe = Deno.serve
  let captured: Handler | undefined // deno-lint-ignore no-explicit-any
  ;(Deno as any).serve = (...args: unknown[]) => {
    captured = args.find((a) => typeof a === 'function') as Handler | undefined ??
      (args[0] as { handler?: Handler })?.handler
    return { finished: Promise.resolve(), shutdown: () => Promise.resolve(), ref() {}, unref() {} }
  }
  try {
    const entries = [...Deno.readDirSync(functionsDir)].filter((e) =>
      e.isDirectory && SLUG.test(e.name)
    )
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const index = new URL(`${entry.name}/index.ts`, functionsDir)
      try {
        Deno.statSync(index)
      } catch {
        continue
      }
      captured = undefined
      await import(index.href)
      if (!captured) throw new Error(`${entry.name}/index.ts did not call Deno.serve`)
      handlers.set(entry.name, captured)
    }
  } finally {
    ;(Deno as { serve: typeof realServe }).serve = realServe
  }
  return handlers
}
