/**
 * Route definitions for OpenAPI: the shared error schema and the standard responses,
 * so each route only spells out what is its own.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { requireUser } from './guards.ts'

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: 'invalid_request' }),
    message: z.string().openapi({
      example: 'body.name: Too small: expected string to have >=1 characters',
    }),
    details: z.unknown().optional(),
  }),
}).openapi('Error')

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
})

/** The error responses any authenticated route may give. */
export const errorResponses = {
  400: error('Invalid input; the message names each field'),
  401: error('Missing, expired or invalid access token'),
  403: error('Signed in, but the role does not allow this'),
  404: error('Not found, or not visible to the caller'),
  409: error('Conflicts with the current state'),
  503: error('The database is unavailable'),
} as const

/** The 429 of a route with a rate limit (errors.ts TooManyRequests), for route definitions. */
export function tooManyRequests(description: string) {
  return {
    description: `${description}; Retry-After says in how many seconds to try again`,
    headers: { 'Retry-After': { schema: { type: 'integer' as const } } },
    content: { 'application/json': { schema: ErrorSchema } },
  }
}

/** JSON body of a response, for route definitions. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

/** JSON request body, required. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } }
}

type RouteConfig = Parameters<typeof createRoute>[0]

/**
 * A route that requires a signed-in user: bearer security in the docs and the guard at
 * run time, declared together so they cannot drift apart. `P` keeps the path a literal
 * type (as createRoute does), so a typed client (`hc<AppType>`) knows the route.
 */
export function userRoute<P extends string, R extends Omit<RouteConfig, 'path'> & { path: P }>(
  route: R,
) {
  return createRoute({
    ...route,
    security: [{ bearerAuth: [] }],
    middleware: [requireUser()] as const,
    responses: { ...errorResponses, ...route.responses },
  })
}
