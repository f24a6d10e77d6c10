/**
 * auth.users and auth.identities: the password check and the writes behind sign-up, user
 * updates and the admin API (reads in GoTrue's JSON shape are in user_json.ts).
 *
 * Passwords are bcrypt hashes made by pgcrypto (`crypt(..., gen_salt('bf', 10))`), the format
 * GoTrue writes, so users created by `supabase/seed.sql` the usual way can sign in here.
 */
import type postgres from 'postgres'
import { isUniqueViolation, unprocessable } from './errors.ts'

export { listUsers, loadUser, type UserJson } from './user_json.ts'

type Sql = postgres.Sql | postgres.TransactionSql

/** The password check behind `grant_type=password`. */
export type PasswordCheck = { id: string; passwordOk: boolean; confirmed: boolean; banned: boolean }

/** Looks up a user by email and checks `password` against its bcrypt hash in SQL. */
export async function checkPassword(
  sql: Sql,
  email: string,
  password: string,
): Promise<PasswordCheck | null> {
  // The CASE keeps crypt() away from empty or non-bcrypt values (users without a password),
  // on which it would raise "invalid salt".
  const [row] = await sql`
    select u.id,
      case when u.encrypted_password ~ '^\\$2[abxy]\\$'
        then u.encrypted_password = extensions.crypt(${password}, u.encrypted_password)
        else false end as password_ok,
      u.email_confirmed_at is not null as confirmed,
      coalesce(u.banned_until > now(), false) as banned
    from auth.users u
    where lower(u.email) = ${email} and not u.is_sso_user and u.deleted_at is null
    limit 1`
  if (!row) return null
  return { id: row.id, passwordOk: row.password_ok, confirmed: row.confirmed, banned: row.banned }
}

/** What a new user is made of. */
export type NewUser = {
  id?: string
  email: string
  password?: string
  confirmed: boolean
  appMetadata?: Record<string, unknown>
  userMetadata?: Record<string, unknown>
}

const EMAIL_EXISTS_MSG = 'A user with this email address has already been registered'

/**
 * Inserts a user and its email identity in one statement; the sign-up trigger of the
 * migrations adds the profile. Throws 422 `email_exists` on a taken address.
 */
export async function insertUser(sql: Sql, user: NewUser): Promise<string> {
  const id = user.id ?? crypto.randomUUID()
  // GoTrue copies the identity's claims into user_metadata (sub, email, *_verified).
  const identityData = {
    sub: id,
    email: user.email,
    email_verified: user.confirmed,
    phone_verified: false,
  }
  const userMetadata = { ...user.userMetadata, ...identityData }
  const appMetadata = { ...user.appMetadata, provider: 'email', providers: ['email'] }
  const password = user.password ?? null
  try {
    await sql`
      with u as (
        insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
          email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
          confirmation_token, recovery_token, email_change_token_new, email_change)
        values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated',
          ${user.email},
          case when ${password}::text is null then ''
            else extensions.crypt(${password}, extensions.gen_salt('bf', 10)) end,
          case when ${user.confirmed} then now() end,
          ${JSON.stringify(appMetadata)}::text::jsonb, ${JSON.stringify(userMetadata)}::text::jsonb,
          now(), now(), '', '', '', '')
        returning id
      )
      insert into auth.identities (provider_id, user_id, identity_data, provider,
        created_at, updated_at)
      select u.id::text, u.id, ${JSON.stringify(identityData)}::text::jsonb, 'email', now(), now()
      from u`
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_partial_key')) {
      throw unprocessable('email_exists', EMAIL_EXISTS_MSG)
    }
    if (isUniqueViolation(err, 'users_pkey')) {
      throw unprocessable('user_already_exists', 'User already registered')
    }
    throw err
  }
  return id
}

/** Changes to a user; undefined fields stay as they are. */
export type UserChanges = {
  email?: string
  password?: string
  /** Merged into user_metadata; null values remove keys (GoTrue's UpdateUserMetaData). */
  userMetadata?: Record<string, unknown>
  /** Merged into app_metadata the same way. */
  appMetadata?: Record<string, unknown>
  confirmEmail?: boolean
  /** A Date bans until then, null lifts a ban. */
  bannedUntil?: Date | null
  role?: string
}

// `patch` merged into `col`, keys whose new value is JSON null removed. JSON goes in as text:
// postgres.js would JSON-encode a string parameter typed jsonb a second time.
const mergeJson = (sql: Sql, col: string, patch: Record<string, unknown> | undefined) => {
  const json = patch === undefined ? null : JSON.stringify(patch)
  return sql`case when ${json}::text::jsonb is null then ${sql(col)}
    else (coalesce(${sql(col)}, '{}') || ${json}::text::jsonb) - coalesce(
      (select array_agg(key) from jsonb_each(${json}::text::jsonb) where jsonb_typeof(value) = 'null'),
      '{}') end`
}

/** Applies `changes` to user `id`; returns false when there is no such user. */
export async function updateUser(sql: Sql, id: string, changes: UserChanges): Promise<boolean> {
  const email = changes.email ?? null
  const password = changes.password ?? null
  const banSet = changes.bannedUntil !== undefined
  try {
    const rows = await sql`
      update auth.users set
        email = coalesce(${email}, email),
        encrypted_password = case when ${password}::text is null then encrypted_password
          else extensions.crypt(${password}, extensions.gen_salt('bf', 10)) end,
        raw_user_meta_data = ${mergeJson(sql, 'raw_user_meta_data', changes.userMetadata)},
        raw_app_meta_data = ${mergeJson(sql, 'raw_app_meta_data', changes.appMetadata)},
        email_confirmed_at = case when ${changes.confirmEmail ?? false}
          then coalesce(email_confirmed_at, now()) else email_confirmed_at end,
        banned_until = case when ${banSet} then ${changes.bannedUntil ?? null}::timestamptz
          else banned_until end,
        role = coalesce(${changes.role ?? null}, role),
        updated_at = now()
      where id = ${id}
      returning id`
    if (!rows.length) return false
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_partial_key')) {
      throw unprocessable('email_exists', EMAIL_EXISTS_MSG)
    }
    throw err
  }
  if (email !== null || changes.confirmEmail) {
    // Keep the email identity (and the claims GoTrue mirrors into user_metadata) in step.
    await sql`
      with i as (
        update auth.identities i set updated_at = now(), identity_data = i.identity_data
          || jsonb_build_object('email', u.email, 'email_verified', u.email_confirmed_at is not null)
        from auth.users u where u.id = i.user_id and i.user_id = ${id} and i.provider = 'email'
      )
      update auth.users set raw_user_meta_data = raw_user_meta_data
        || jsonb_build_object('email', email, 'email_verified', email_confirmed_at is not null)
      where id = ${id} and raw_user_meta_data ? 'email'`
  }
  return true
}

/** True when `password` is the user's current one (GoTrue refuses to "change" to it). */
export async function isSamePassword(sql: Sql, id: string, password: string): Promise<boolean> {
  const [row] = await sql`
    select case when encrypted_password ~ '^\\$2[abxy]\\$'
      then encrypted_password = extensions.crypt(${password}, encrypted_password)
      else false end as same
    from auth.users where id = ${id}`
  return row?.same ?? false
}

/**
 * Deletes a user (sessions, tokens and identities cascade). A soft delete keeps the row
 * like GoTrue: marked deleted, credentials and metadata cleared, identities and sessions gone.
 */
export async function deleteUser(sql: Sql, id: string, soft: boolean): Promise<boolean> {
  if (!soft) {
    const rows = await sql`delete from auth.users where id = ${id} returning id`
    return rows.length > 0
  }
  const rows = await sql`
    with i as (delete from auth.identities where user_id = ${id}),
    s as (delete from auth.sessions where user_id = ${id})
    update auth.users set deleted_at = now(), updated_at = now(), email = null, phone = null,
      encrypted_password = '', raw_user_meta_data = '{}', raw_app_meta_data = '{}'
    where id = ${id} and deleted_at is null
    returning id`
  return rows.length > 0
}
