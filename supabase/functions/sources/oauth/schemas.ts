/**
 * Request shapes both providers' flows share: starting one, and the browser's return.
 */
import { z } from '@hono/zod-openapi'

export const ConnectBody = z.strictObject({
  redirect_to: z.string().max(2048).optional().openapi({
    description: 'Where the browser is sent back after consent; its origin must be one of ' +
      'OAUTH_REDIRECT_ORIGINS (default: the first of them)',
    example: 'http://127.0.0.1:3000/settings/sources',
  }),
  source_id: z.uuid().optional().openapi({
    description: 'Re-authorize this existing source instead of connecting a new one',
  }),
}).openapi('ConnectSource')

export const ConsentUrl = z.object({
  url: z.url().openapi({ description: "The provider's consent screen; open it in the browser" }),
}).openapi('ConsentUrl')

/** What a provider appends when it sends the browser back; anything else is ignored. */
export const CallbackQuery = z.object({
  state: z.string().max(200),
  code: z.string().max(2048).optional(),
  error: z.string().max(200).optional(),
})

export const callbackResponses = {
  302: { description: 'Back to the app: `?source_id=…&status=…`, or `?status=error&error=…`' },
  400: {
    description: 'The state is unknown, already used or expired (nowhere safe to go back to)',
  },
} as const
