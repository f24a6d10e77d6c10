/**
 * The API explorer of the local stack: Swagger UI for every function, served by the
 * gateway with its assets from the pinned npm package `swagger-ui-dist` (deno.json).
 *
 * It lives here, not in the functions: hosted Supabase serves a function's HTML as
 * text/plain, and a page loading assets from a CDN changes whenever the CDN's "latest"
 * does. Functions keep serving their `openapi.json`; any viewer can read a deployed one,
 * including this page (`/docs?url=<a deployed openapi.json>`).
 */
import swaggerUiDir from 'swagger-ui-dist/absolute-path.js'

/** The files of swagger-ui-dist the page loads, with their content types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}
const ASSET_PATH = '/docs/assets/'

// Read on first use, then kept: the bundle is ~1.5 MB and the page asks for it each load.
const loaded = new Map<string, Uint8Array<ArrayBuffer>>()

async function asset(name: string): Promise<Response> {
  const type = ASSETS[name]
  if (!type) return new Response('not found', { status: 404 })
  let bytes = loaded.get(name)
  if (!bytes) {
    bytes = await Deno.readFile(`${(swaggerUiDir as () => string)()}/${name}`)
    loaded.set(name, bytes)
  }
  return new Response(bytes, {
    headers: { 'content-type': type, 'cache-control': 'public, max-age=3600' },
  })
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

function html(title: string, body: string): Response {
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${ASSET_PATH}favicon-32x32.png">
<link rel="stylesheet" href="${ASSET_PATH}swagger-ui.css">
</head>
<body>
${body}
</body>
</html>
`
  return new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } })
}

/** Swagger UI on `specUrl`; `?url=` in the page's address may point it elsewhere. */
function explorer(title: string, specUrl: string): Response {
  // JSON inside a script: `<` escaped so no value can close the script element.
  const options = JSON.stringify({
    url: specUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    queryConfigEnabled: true,
    layout: 'StandaloneLayout',
  }).replace(/</g, '\\u003c')
  return html(
    title,
    `<div id="swagger-ui"></div>
<script src="${ASSET_PATH}swagger-ui-bundle.js"></script>
<script src="${ASSET_PATH}swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle(Object.assign(${options}, {
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
}))
</script>`,
  )
}

/**
 * Answers the docs routes, or returns undefined for any other request:
 * `/docs` (the first function's document, or `?url=`), `/docs/assets/*`, and
 * `/functions/v1/<slug>/docs` for each of `slugs`.
 */
export function docsRoutes(slugs: string[]) {
  return function docs(req: Request, url: URL): Promise<Response> | Response | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined
    const path = url.pathname
    if (path.startsWith(ASSET_PATH)) return asset(path.slice(ASSET_PATH.length))
    if (path === '/docs' || path === '/docs/') {
      const first = slugs[0] ?? 'health'
      return explorer('Lytics API', `/functions/v1/${first}/openapi.json`)
    }
    const slug = /^\/functions\/v1\/([^/]+)\/docs\/?$/.exec(path)?.[1]
    if (slug && slugs.includes(slug)) {
      // Host-relative, so the page works behind whatever host and port the stack is on.
      return explorer(`Lytics ${slug} API`, `/functions/v1/${slug}/openapi.json`)
    }
    return undefined
  }
}
