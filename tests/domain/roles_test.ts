/**
 * The role order in TypeScript (shared/domain/roles.ts) is the SQL enum's, where
 * `role >= 'admin'` means admin or better.
 */
import assert from 'node:assert/strict'
import { ORG_ROLES } from '../../shared/domain/roles.ts'
import { adminSql, test } from '../_helpers/stack.ts'

test('ORG_ROLES is public.org_role, in the same order', async () => {
  const [{ roles }] = await adminSql<{ roles: string[] }[]>`
    select enum_range(null::public.org_role)::text[] as roles`
  assert.deepEqual([...ORG_ROLES], roles)
})
