/**
 * The reports half of the dashboard: tiles, series and breakdown (with CSV export), as
 * one sub-app that app.ts mounts at its root.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { validationFailed } from '../../../shared/http/validation.ts'
import { breakdown } from './breakdown.ts'
import { series } from './series.ts'
import { tiles } from './tiles.ts'

export const reports = new OpenAPIHono({ defaultHook: validationFailed })
  .route('/', tiles)
  .route('/', series)
  .route('/', breakdown)
