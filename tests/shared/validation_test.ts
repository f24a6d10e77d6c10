/**
 * shared/http/validation.ts: where each zod problem is named, and the 400 body.
 */
import assert from 'node:assert/strict'
import { z } from 'zod'
import { describeIssues, type Problem, problemsBody } from '../../shared/http/validation.ts'

function issuesOf(schema: z.ZodType, value: unknown): z.ZodError {
  const parsed = schema.safeParse(value)
  assert.equal(parsed.success, false)
  return parsed.error!
}

const Rows = z.object({
  rows: z.array(z.object({ name: z.string(), value: z.number() })),
  meta: z.object({ tags: z.array(z.string()) }),
})

Deno.test('describeIssues: nested keys are dotted and array indexes bracketed', () => {
  const error = issuesOf(Rows, {
    rows: [{ name: 'a', value: 1 }, { name: 'b', value: 'x' }],
    meta: { tags: ['ok', 3] },
  })
  const paths = describeIssues(error, 'body').map((p) => p.path)
  assert.deepEqual(paths.sort(), ['body.meta.tags[1]', 'body.rows[1].value'])
})

Deno.test('describeIssues: without a target the path starts at the key', () => {
  const error = issuesOf(Rows, { rows: [{ name: 'a', value: 'x' }], meta: { tags: [] } })
  assert.deepEqual(describeIssues(error).map((p) => p.path), ['rows[0].value'])
  const list = issuesOf(z.array(z.object({ a: z.string() })), [{ a: 'x' }, { a: 1 }])
  assert.deepEqual(describeIssues(list).map((p) => p.path), ['[1].a'])
})

Deno.test('describeIssues: a root problem is "(root)" or the target itself', () => {
  const error = issuesOf(z.object({ a: z.string() }), 'not an object')
  assert.deepEqual(describeIssues(error).map((p) => p.path), ['(root)'])
  assert.deepEqual(describeIssues(error, 'query').map((p) => p.path), ['query'])
})

Deno.test('describeIssues: Hono targets json/form are named body, others kept', () => {
  const error = issuesOf(z.object({ name: z.string() }), {})
  assert.deepEqual(describeIssues(error, 'json').map((p) => p.path), ['body.name'])
  assert.deepEqual(describeIssues(error, 'form').map((p) => p.path), ['body.name'])
  assert.deepEqual(describeIssues(error, 'query').map((p) => p.path), ['query.name'])
  assert.deepEqual(describeIssues(error, 'param').map((p) => p.path), ['param.name'])
})

Deno.test("describeIssues: each problem keeps zod's message", () => {
  const error = issuesOf(z.object({ n: z.number().max(3) }), { n: 9 })
  const [problem] = describeIssues(error, 'query')
  assert.equal(problem.path, 'query.n')
  assert.equal(problem.message, error.issues[0].message)
})

Deno.test('describeIssues: each unknown field of a strict object is named', () => {
  const error = issuesOf(z.strictObject({ a: z.string() }), { a: 'x', extra: 1, other: 2 })
  const problems = describeIssues(error, 'json')
  assert.deepEqual(problems.map((p) => p.path).sort(), ['body.extra', 'body.other'])
})

Deno.test('problemsBody: the message lists the problems with their paths', () => {
  const problems: Problem[] = [
    { path: 'body.name', message: 'Required' },
    { path: 'query.from', message: 'Invalid date' },
  ]
  assert.deepEqual(problemsBody(problems), {
    error: {
      code: 'invalid_request',
      message: 'body.name: Required; query.from: Invalid date',
      details: problems,
    },
  })
})

Deno.test('problemsBody: more than five problems are counted, all kept in details', () => {
  const problems = Array.from(
    { length: 8 },
    (_, i) => ({ path: `body.rows[${i}]`, message: 'bad' }),
  )
  const body = problemsBody(problems)
  const listed = body.error.message.split('; ')
  assert.equal(listed.length, 5)
  assert.equal(listed[0], 'body.rows[0]: bad')
  assert.ok(listed[4].startsWith('body.rows[4]: bad'))
  assert.ok(body.error.message.endsWith(' (and 3 more)'))
  assert.ok(!body.error.message.includes('rows[5]'))
  assert.deepEqual(body.error.details, problems)
  const five = problemsBody(problems.slice(0, 5))
  assert.ok(!five.error.message.includes('more'), 'exactly five: nothing to count')
})
