/**
 * GET /account/session: who the access token says the caller is and when it expires,
 * answered from the verified token alone (no database), so a client can check its session
 * cheaply before it decides to refresh.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'

const Session = z.object({
  user_id: z.uuid(),
  email: z.string().nullable(),
  role: z.string().openapi({ example: 'authenticated' }),
  session_id: z.string().nullable().openapi({ description: 'The Supabase Auth session' }),
  expires_at: z.string().openapi({ description: 'When the access token expires (ISO 8601)' }),
  expires_in: z.number().int().openapi({ description: 'Seconds until then' }),
}).openapi('Session')

const readSession = userRoute({
  method: 'get',
  path: '/session',
  tags: ['Account'],
  summary: 'The access token: whose it is and when it expires',
  description: 'Read from the verified token; no database work.',
  responses: { 200: json(Session, 'The session') },
})

/** The session route of the account app. */
export const sessionRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(readSession, (c) => {
    const { id, email, claims } = c.get('user')
    const exp = claims.exp ?? 0
    return c.json({
      user_id: id,
      email,
      role: claims.role,
      session_id: typeof claims.session_id === 'string' ? claims.session_id : null,
      expires_at: new Date(exp * 1000).toISOString(),
      expires_in: Math.max(0, exp - Math.floor(Date.now() / 1000)),
    }, 200)
  })
