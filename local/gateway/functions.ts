/**
 * Loads functions under supabase/functions the way the edge runtime does: by running
 * each one's index.ts, whose `Deno.serve(app.fetch)` is captured instead of listening.
 */

export type Handler = (req: Request) => Response | Promise<Response>

const SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/

/** The deployable function slugs under `functionsDir`: a valid name and an index.ts. */
export function functionSlugs(functionsDir: URL): string[] {
  return [...Deno.readDirSync(functionsDir)]
    .filter((e) => e.isDirectory && SLUG.test(e.name))
    .filter((e) => {
      try {
        return Deno.statSync(new URL(`${e.name}/index.ts`, functionsDir)).isFile
      } catch {
        return false
      }
    })
    .map((e) => e.name)
    .sort()
}

/** Imports one function's entrypoint and returns the handler it passed to Deno.serve. */
export async function loadFunction(functionsDir: URL, slug: string): Promise<Handler> {
  const realServe = Deno.serve
  let captured: Handler | undefined // deno-lint-ignore no-explicit-any
  ;(Deno as any).serve = (...args: unknown[]) => {
    captured = args.find((a) => typeof a === 'function') as Handler | undefined ??
      (args[0] as { handler?: Handler })?.handler
    return { finished: Promise.resolve(), shutdown: () => Promise.resolve(), ref() {}, unref() {} }
  }
  try {
    await import(new URL(`${slug}/index.ts`, functionsDir).href)
  } finally {
    ;(Deno as { serve: typeof realServe }).serve = realServe
  }
  if (!captured) throw new Error(`${slug}/index.ts did not call Deno.serve`)
  return captured
}

/** Imports every function and returns its request handler by slug. */
export async function loadFunctions(functionsDir: URL): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>()
  for (const slug of functionSlugs(functionsDir)) {
    handlers.set(slug, await loadFunction(functionsDir, slug))
  }
  return handlers
}
