/**
 * GET /assistant/usage: the organization's questions and tokens per UTC day, and what is
 * left of today's budget (any member).
 */
import { OpenAPIHono, z } from '@hono/zod-openapi'
import { addDays, isoDate, todayIn } from '../../../../shared/analytics/mod.ts'
import { assistantConfig } from '../../../../shared/config.ts'
import { asUser } from '../../../../shared/db.ts'
import { json, userRoute } from '../../../../shared/http/openapi.ts'
import { validationFailed } from '../../../../shared/http/validation.ts'
import { activeOrg } from '../../../../shared/tenant.ts'
import { usageDays } from './queries.ts'

const UsageQuery = z.object({
  from: isoDate.optional().openapi({ description: 'First UTC day (default: 29 days ago)' }),
  to: isoDate.optional().openapi({ description: 'Last UTC day (default: today)' }),
})

const UsageDay = z.object({
  day: z.string(),
  requests: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
}).openapi('AssistantUsageDay')

const Usage = z.object({
  from: z.string(),
  to: z.string(),
  daily_token_budget: z.number().int(),
  used_today: z.number().int(),
  remaining_today: z.number().int(),
  resets_at: z.string().openapi({ description: 'Next midnight UTC' }),
  requests_per_minute: z.number().int().openapi({ description: 'Per user' }),
  days: z.array(UsageDay).openapi({ description: 'Days with usage, oldest first' }),
}).openapi('AssistantUsage')

const usageRoute = userRoute({
  method: 'get',
  path: '/usage',
  tags: ['Usage'],
  summary: "The organization's assistant usage per day, and today's budget",
  request: { query: UsageQuery },
  responses: { 200: json(Usage, 'Usage') },
})

export const usageRoutes = new OpenAPIHono({ defaultHook: validationFailed })
  .openapi(usageRoute, async (c) => {
    const q = c.req.valid('query')
    const cfg = assistantConfig()
    const today = todayIn('UTC')
    const to = q.to ?? today
    const from = q.from ?? addDays(to, -29)
    const rows = await asUser(c.get('user').claims, async (tx) => {
      const org = await activeOrg(tx)
      return await usageDays(tx, { orgId: org.id, from, to: to < today ? today : to })
    })
    const todayRow = rows.find((r) => r.day === today)
    const usedToday = todayRow ? todayRow.prompt_tokens + todayRow.completion_tokens : 0
    const budget = cfg.ASSISTANT_DAILY_TOKEN_BUDGET
    return c.json({
      from,
      to,
      daily_token_budget: budget,
      used_today: usedToday,
      remaining_today: Math.max(0, budget - usedToday),
      resets_at: `${addDays(today, 1)}T00:00:00.000Z`,
      requests_per_minute: cfg.ASSISTANT_REQUESTS_PER_MINUTE,
      days: rows.filter((r) => r.day >= from && r.day <= to).map((r) => ({
        ...r,
        total_tokens: r.prompt_tokens + r.completion_tokens,
      })),
    }, 200)
  })
