/**
 * The admin endpoints (/admin/users...), for the service role only.
 */
import type { Context, Hono } from 'hono'
import type { AuthContext } from './context.ts'
import { badRequest, forbidden, notFound, unauthorized } from './errors.ts'
import { endSessions } from './sessions.ts'
import { bearerToken, verifyBearer } from './tokens.ts'
import * as users from './users.ts'
import {
  type Body,
  checkPassword,
  isUuid,
  normalizeEmail,
  optionalObject,
  optionalString,
  parseBanDuration,
  readBody,
  requireUuid,
} from './validate.ts'

const ADMIN_ROLES = new Set(['service_role', 'supabase_admin'])
const DEFAULT_PER_PAGE = 50

/**
 * Lets through the service role: `Authorization: Bearer <secret key>` (what supabase-js sends
 * with a secret key), a secret `apikey` without Authorization (the gateway would mint a
 * service_role token for it), or a JWT of ours with an admin role. Anyone else gets GoTrue's
 * 403 not_admin.
 */
export async function requireAdmin(ctx: AuthContext, req: Request): Promise<void> {
  const token = bearerToken(req)
  if (!token) {
    const apikey = req.headers.get('apikey') ?? new URL(req.url).searchParams.get('apikey')
    if (apikey && ctx.secretKeys.has(apikey)) return
    throw unauthorized('no_authorization', 'This endpoint requires a valid Bearer token')
  }
  if (ctx.secretKeys.has(token)) return
  if (ctx.publishableKeys.has(token)) throw forbidden('not_admin', 'User not allowed')
  const claims = await verifyBearer(ctx, token)
  if (!ADMIN_ROLES.has(claims.role)) throw forbidden('not_admin', 'User not allowed')
}

const userNotFound = () => notFound('user_not_found', 'User not found')

/** Parses `ban_duration` into an absolute end (null lifts the ban), undefined when absent. */
function banUntil(body: Body): Date | null | undefined {
  const value = optionalString(body, 'ban_duration')
  if (value === undefined) return undefined
  const ms = parseBanDuration(value)
  return ms === null ? null : new Date(Date.now() + ms)
}

function pageParam(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) {
    throw badRequest('validation_failed', 'Bad Pagination Parameters')
  }
  return n
}

/** Registers the admin routes on `app` (whose base path is /auth/v1). */
export function registerAdminRoutes(app: Hono, ctx: AuthContext): void {
  const { sql } = ctx

  app.use('/admin/*', async (c, next) => {
    await requireAdmin(ctx, c.req.raw)
    await next()
  })

  app.post('/admin/users', async (c) => {
    const body = await readBody(c.req.raw)
    const email = optionalString(body, 'email')
    if (!email) {
      if (optionalString(body, 'phone')) {
        throw badRequest('phone_provider_disabled', 'Phone users are not supported locally')
      }
      throw badRequest('validation_failed', 'Cannot create a user without either an email or phone')
    }
    const password = optionalString(body, 'password')
    if (password !== undefined) checkPassword(password)
    const id = optionalString(body, 'id')
    if (id !== undefined && !isUuid(id)) throw badRequest('validation_failed', 'id must be a UUID')
    const bannedUntil = banUntil(body)
    const role = optionalString(body, 'role')
    const userId = await sql.begin(async (tx) => {
      const created = await users.insertUser(tx, {
        id: id?.toLowerCase(),
        email: normalizeEmail(email),
        password,
        confirmed: body.email_confirm === true,
        userMetadata: optionalObject(body, 'user_metadata'),
        appMetadata: optionalObject(body, 'app_metadata'),
      })
      if (bannedUntil !== undefined || role !== undefined) {
        await users.updateUser(tx, created, { bannedUntil, role })
      }
      return created
    })
    return c.json(await users.loadUser(sql, userId))
  })

  app.get('/admin/users', async (c) => {
    const page = pageParam(c.req.query('page'), 1)
    const perPage = pageParam(c.req.query('per_page'), DEFAULT_PER_PAGE)
    const { users: list, total } = await users.listUsers(sql, page, perPage, c.req.query('filter'))
    setPaginationHeaders(c, ctx.issuer, page, perPage, total)
    return c.json({ users: list, aud: 'authenticated' })
  })

  app.get('/admin/users/:id', async (c) => {
    const user = await users.loadUser(sql, requireUuid(c.req.param('id')))
    if (!user) throw userNotFound()
    return c.json(user)
  })

  app.put('/admin/users/:id', async (c) => {
    const id = requireUuid(c.req.param('id'))
    const body = await readBody(c.req.raw)
    const password = optionalString(body, 'password')
    if (password !== undefined) checkPassword(password)
    const email = optionalString(body, 'email')
    const bannedUntil = banUntil(body)
    const found = await sql.begin(async (tx) => {
      const updated = await users.updateUser(tx, id, {
        email: email === undefined ? undefined : normalizeEmail(email),
        password,
        userMetadata: optionalObject(body, 'user_metadata'),
        appMetadata: optionalObject(body, 'app_metadata'),
        confirmEmail: body.email_confirm === true,
        bannedUntil,
        role: optionalString(body, 'role'),
      })
      // A password set by an admin, or a ban, ends every session of the user (as GoTrue does).
      if (updated && (password !== undefined || bannedUntil)) {
        await endSessions(tx, id, null, 'global')
      }
      return updated
    })
    if (!found) throw userNotFound()
    return c.json(await users.loadUser(sql, id))
  })

  app.delete('/admin/users/:id', async (c) => {
    const id = requireUuid(c.req.param('id'))
    const body = await readBody(c.req.raw)
    if (!await users.deleteUser(sql, id, body.should_soft_delete === true)) throw userNotFound()
    return c.json({})
  })
}

/** GoTrue's `X-Total-Count` and `Link` headers, which supabase-js parses for `listUsers`. */
function setPaginationHeaders(
  c: Context,
  issuer: string,
  page: number,
  perPage: number,
  total: number,
): void {
  c.header('x-total-count', String(total))
  if (total === 0) return
  const lastPage = Math.ceil(total / perPage)
  const link = (p: number, rel: string) =>
    `<${issuer}/admin/users?page=${p}&per_page=${perPage}>; rel="${rel}"`
  const links = page < lastPage ? [link(page + 1, 'next')] : []
  links.push(link(lastPage, 'last'))
  c.header('link', links.join(', '))
}
