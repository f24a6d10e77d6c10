/**
 * assistant: the AI analyst. Conversations with a model that answers questions about the
 * active organization's data through read-only tools running the dashboard's own queries
 * under the caller's RLS; the organization's own model settings; usage and limits.
 */
import { createApp } from '../../../shared/http/app.ts'
import { conversationRoutes } from './conversations/routes.ts'
import { insightsRoutes } from './insights/routes.ts'
import { messageRoutes } from './messages/routes.ts'
import { settingsRoutes } from './settings/routes.ts'
import { usageRoutes } from './usage/routes.ts'

export const app = createApp('assistant', {
  title: 'Assistant',
  description: "An AI analyst over the active organization's metrics and events: " +
    'conversations, questions answered with tool calls under RLS (JSON or Server-Sent ' +
    "Events), the organization's own model key, usage and limits, and deterministic " +
    'insights with an optional prose summary.',
})
  .route('/', conversationRoutes)
  .route('/', messageRoutes)
  .route('/', settingsRoutes)
  .route('/', usageRoutes)
  .route('/', insightsRoutes)

/** The assistant's routes, for a typed client: `hc<AppType>(url)`. */
export type AppType = typeof app
