/**
 * GET /assistant/insights?range=…: a few short findings about the range, computed
 * deterministically from the organization's data (shared/analytics/insights.ts, the
 * dashboard's own queries, under the caller's RLS), each with the numbers behind it; and,
 * when a model is configured, a prose summary written from those findings only. Without a
 * model, or when it fails or the daily budget is spent, the findings still come back (200)
 * and `summary` is null, with `summary_error` saying why when a model was there.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { rangeQuerySchema, reportScope, withRangeRules } from '../../../../shared/analytics/mod.ts'
import { findInsights, InsightFindingsSchema } from '../../../../shared/analytics/insights.ts'
import { assistantConfig } from '../../../../shared/config.ts'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { orgModelSettings } from '../model/org-settings.ts'
import { modelTarget } from '../model/provider.ts'
import { recordUsage } from '../messages/queries.ts'
import { TurnFailed } from '../messages/turn.ts'
import { tokensToday } from './queries.ts'
import { summarizeFindings } from './summary.ts'

const InsightsQuery = withRangeRules(rangeQuerySchema)

const Insights = InsightFindingsSchema.extend({
  summary: z.string().nullable().openapi({
    description: 'Prose written by the model from the findings only; null without a model',
  }),
  model: z.string().nullable().openapi({ description: 'The model that wrote the summary' }),
  summary_error: z.enum(['model_error', 'model_unreachable', 'model_timeout', 'budget_exhausted'])
    .nullable().openapi({ description: 'Why a configured model wrote no summary' }),
}).openapi('Insights')

const insightsRoute = userRoute({
  method: 'get',
  path: '/insights',
  tags: ['Insights'],
  summary: 'Deterministic findings about a range, with an optional prose summary',
  description: 'Largest changes against the equally long span before and their drivers by ' +
    'dimension, best and worst channel, retention shifts and anomalies against the trailing ' +
    'weeks, each with its numbers. Works without any model configured.',
  request: { query: InsightsQuery },
  responses: { 200: json(Insights, 'The findings, and the summary when a model wrote one') },
})

export const insightsRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(insightsRoute, async (c) => {
    const q = c.req.valid('query')
    const claims = c.get('user').claims
    const cfg = assistantConfig()
    const { findings, orgId, used } = await asUser(claims, async (tx) => {
      const scope = await reportScope(tx, q)
      return {
        findings: await findInsights(tx, { scope }),
        orgId: scope.org,
        used: await tokensToday(tx, { orgId: scope.org }),
      }
    })
    const target = findings.findings.length > 0
      ? modelTarget(await orgModelSettings(orgId), cfg)
      : null
    const none = { summary: null, model: null, summary_error: null }
    if (!target) return c.json({ ...findings, ...none }, 200)
    if (used >= cfg.ASSISTANT_DAILY_TOKEN_BUDGET) {
      return c.json({ ...findings, ...none, summary_error: 'budget_exhausted' as const }, 200)
    }
    try {
      const summary = await summarizeFindings(target, findings, {
        timeoutMs: cfg.ASSISTANT_TIMEOUT_MS,
      })
      await asUser(claims, (tx) => recordUsage(tx, summary.usage))
      return c.json({
        ...findings,
        summary: summary.text,
        model: target.model,
        summary_error: null,
      }, 200)
    } catch (err) {
      if (!(err instanceof TurnFailed)) throw err
      const code = err.code as 'model_error' | 'model_unreachable' | 'model_timeout'
      return c.json({ ...findings, ...none, summary_error: code }, 200)
    }
  })
