/**
 * Users as GoTrue serializes them, read from auth.users and auth.identities.
 */
import type postgres from 'postgres'

type Sql = postgres.Sql | postgres.TransactionSql

/** A user as GoTrue serializes it. */
export type UserJson = {
  id: string
  aud: string
  role: string
  email: string
  phone: string
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
  identities: unknown[]
  created_at: string
  updated_at: string
  is_anonymous: boolean
  [field: string]: unknown
}

// GoTrue prints UTC timestamps with microseconds and a Z suffix.
const ts = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

// Fields GoTrue omits when they are null (`omitempty`), in its order.
const OPTIONAL_TIMES = [
  'email_confirmed_at',
  'invited_at',
  'phone_confirmed_at',
  'confirmation_sent_at',
  'confirmed_at',
  'recovery_sent_at',
  'email_change_sent_at',
  'last_sign_in_at',
]

// Static text (no input), nested into queries with sql.unsafe.
const USER_COLUMNS = `
  u.id, coalesce(nullif(u.aud, ''), 'authenticated') as aud,
  coalesce(nullif(u.role, ''), 'authenticated') as role,
  coalesce(u.email, '') as email, coalesce(u.phone, '') as phone,
  ${OPTIONAL_TIMES.map((c) => `${ts(`u.${c}`)} as ${c}`).join(', ')},
  nullif(u.email_change, '') as new_email,
  coalesce(u.raw_app_meta_data, '{}') as app_metadata,
  coalesce(u.raw_user_meta_data, '{}') as user_metadata,
  (select coalesce(jsonb_agg(jsonb_build_object(
      'identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id,
      'identity_data', i.identity_data, 'provider', i.provider,
      'last_sign_in_at', ${ts('i.last_sign_in_at')}, 'created_at', ${ts('i.created_at')},
      'updated_at', ${ts('i.updated_at')}, 'email', i.email) order by i.created_at), '[]')
    from auth.identities i where i.user_id = u.id) as identities,
  ${ts('u.created_at')} as created_at, ${ts('u.updated_at')} as updated_at,
  ${ts('u.banned_until')} as banned_until, ${ts('u.deleted_at')} as deleted_at,
  u.is_anonymous`

/** Builds GoTrue's user object from a row selected with USER_COLUMNS. */
function toUserJson(row: postgres.Row): UserJson {
  const user: Record<string, unknown> = {
    id: row.id,
    aud: row.aud,
    role: row.role,
    email: row.email,
  }
  const optional = (key: string, value: unknown) => {
    if (value !== null && value !== undefined) user[key] = value
  }
  optional('email_confirmed_at', row.email_confirmed_at)
  optional('invited_at', row.invited_at)
  user.phone = row.phone
  for (const key of OPTIONAL_TIMES.slice(2)) optional(key, row[key])
  optional('new_email', row.new_email)
  user.app_metadata = row.app_metadata
  user.user_metadata = row.user_metadata
  user.identities = row.identities
  user.created_at = row.created_at
  user.updated_at = row.updated_at
  optional('banned_until', row.banned_until)
  optional('deleted_at', row.deleted_at)
  user.is_anonymous = row.is_anonymous
  return user as UserJson
}

/** The user with `id` in GoTrue's shape, or null. */
export async function loadUser(sql: Sql, id: string): Promise<UserJson | null> {
  const [row] = await sql`select ${sql.unsafe(USER_COLUMNS)} from auth.users u where u.id = ${id}`
  return row ? toUserJson(row) : null
}

/** A page of users, newest first like GoTrue's admin listing. */
export async function listUsers(
  sql: Sql,
  page: number,
  perPage: number,
  filter?: string,
): Promise<{ users: UserJson[]; total: number }> {
  const pattern = filter ? `%${filter.replace(/[\\%_]/g, '\\$&')}%` : null
  const where = sql`where ${pattern}::text is null or u.email ilike ${pattern}
    or u.raw_user_meta_data ->> 'full_name' ilike ${pattern}`
  const rows = await sql`
    select ${sql.unsafe(USER_COLUMNS)}, count(*) over () as total
    from auth.users u ${where}
    order by u.created_at desc, u.id
    limit ${perPage} offset ${(page - 1) * perPage}`
  let total = rows.length ? Number(rows[0].total) : 0
  if (!rows.length && page > 1) {
    // Past the last page the window count is unavailable; count separately for the headers.
    const [row] = await sql`select count(*)::int as n from auth.users u ${where}`
    total = row.n
  }
  return { users: rows.map(toUserJson), total }
}
