/**
 * The dashboard's engagement routes, mounted together by app.ts: active users, retention,
 * feature usage and the activity feed.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { validationFailed } from '../../../shared/http/validation.ts'
import { activeUsers } from './active-users.ts'
import { featureUsage } from './feature-usage.ts'
import { feed } from './feed.ts'
import { retention } from './retention.ts'

export const engagement = new OpenAPIHono({ defaultHook: validationFailed })
  .route('/', activeUsers)
  .route('/', retention)
  .route('/', featureUsage)
  .route('/', feed)
