/**
 * Every route of every function, read from the functions' own OpenAPI documents, with the
 * fields a client can fill (path and query parameters, each node of the JSON body) and a
 * request that passes validation, for the hostile-input test to vary one field at a time.
 */
import { call } from '../_helpers/stack.ts'

/** A JSON Schema node as the OpenAPI documents hold it. */
export type Schema = {
  $ref?: string
  type?: string | string[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  enum?: unknown[]
  format?: string
  example?: unknown
  default?: unknown
  minimum?: number
  minItems?: number
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
}

type Parameter = { in: string; name: string; required?: boolean; schema?: Schema }
type Operation = {
  parameters?: Parameter[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
}
type Document = {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

/** Where a field sits in a request. */
export type Place = 'param' | 'query' | 'body'

/** One field of a route: the keys leading to it, and the name a 400 gives it. */
export type Field = { place: Place; keys: (string | number)[]; name: string; schema: Schema }

export type Route = {
  method: string
  /** OpenAPI path, `/orgs/{id}`, under /functions/v1. */
  path: string
  fields: Field[]
  /** Path parameter values, query parameters and body that pass validation. */
  valid: { params: Record<string, string>; query: Record<string, string>; body?: unknown }
}

/** The request name of a field, as shared/http/validation.ts spells it. */
function fieldName(place: Place, keys: (string | number)[]): string {
  return keys.reduce<string>(
    (name, key) => typeof key === 'number' ? `${name}[${key}]` : `${name}.${key}`,
    place,
  )
}

function resolver(doc: Document) {
  const resolve = (schema: Schema | undefined): Schema => {
    if (!schema) return {}
    if (schema.$ref) return resolve(doc.components?.schemas?.[schema.$ref.split('/').pop()!])
    const option = (schema.anyOf ?? schema.oneOf)?.find((s) => resolve(s).type !== 'null')
    return option ? resolve(option) : schema
  }
  return resolve
}

const typeOf = (schema: Schema) =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type

/** What the test fills in for path parameters: the caller's organization, else a new id. */
export type Context = { orgId: string; today: string }

/**
 * A value the schema accepts. Dates and times are made for now, since ingestion refuses
 * old ones; otherwise the document's own example, its default, or the simplest value.
 */
function sample(schema: Schema, resolve: (s?: Schema) => Schema, ctx: Context): unknown {
  const s = resolve(schema)
  if (s.format === 'date-time') return new Date().toISOString()
  if (s.format === 'date') return ctx.today
  if (s.format === 'uuid') return crypto.randomUUID()
  if (s.format === 'uri') return 'https://example.com/avatar.png'
  if (s.example !== undefined) return s.example
  if (s.enum) return s.enum[0]
  if (s.default !== undefined) return s.default
  switch (typeOf(s)) {
    case 'object':
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v, resolve, ctx)]),
      )
    case 'array':
      return Array.from({ length: s.minItems ?? 1 }, () => sample(s.items ?? {}, resolve, ctx))
    case 'number':
    case 'integer':
      return s.minimum ?? 1
    case 'boolean':
      return true
    default:
      return 'x'
  }
}

// Every node under the body, each object's properties and each array's first item.
function bodyFields(schema: Schema, resolve: (s?: Schema) => Schema, keys: (string | number)[]) {
  const s = resolve(schema)
  const fields: Field[] = []
  const add = (key: string | number, child: Schema) => {
    const at = [...keys, key]
    fields.push({ place: 'body', keys: at, name: fieldName('body', at), schema: resolve(child) })
    fields.push(...bodyFields(child, resolve, at))
  }
  if (typeOf(s) === 'object') { for (const [k, v] of Object.entries(s.properties ?? {})) add(k, v) }
  if (typeOf(s) === 'array' && s.items) add(0, s.items)
  return fields
}

/**
 * Reads `/<fn>/openapi.json` of each function and returns its routes. Requests that would
 * change the caller's organization itself (delete it, leave it, change a role) get a
 * random id, so varying other fields never takes the test's organization away.
 */
export async function loadRoutes(functions: string[], ctx: Context): Promise<Route[]> {
  const routes: Route[] = []
  for (const fn of functions) {
    const res = await call<Document>('GET', `/${fn}/openapi.json`)
    if (res.status !== 200) throw new Error(`${fn}/openapi.json: ${res.status}`)
    const doc = res.body
    const resolve = resolver(doc)
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const destructive = method === 'delete' || path.endsWith('/leave') ||
          path.includes('{userId}')
        const fields: Field[] = []
        const valid: Route['valid'] = { params: {}, query: {} }
        for (const p of op.parameters ?? []) {
          const place = p.in === 'path' ? 'param' : p.in === 'query' ? 'query' : undefined
          if (!place) continue
          fields.push({ place, keys: [p.name], name: `${place}.${p.name}`, schema: p.schema ?? {} })
          if (place === 'param') {
            valid.params[p.name] = p.name === 'id' && !destructive
              ? ctx.orgId
              : String(sample(p.schema ?? {}, resolve, ctx))
          } else if (p.required) valid.query[p.name] = String(sample(p.schema ?? {}, resolve, ctx))
        }
        const body = op.requestBody?.content?.['application/json']?.schema
        if (body) {
          valid.body = sample(body, resolve, ctx)
          fields.push(...bodyFields(body, resolve, []))
        }
        routes.push({ method: method.toUpperCase(), path, fields, valid })
      }
    }
  }
  return routes
}

/** The URL path of a route with its parameters, each already percent-encoded. */
export function routeUrl(route: Route, encodedParams: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name) => encodedParams[name])
}
