-- Local stand-in for what a Supabase database has before any migration runs. Never shipped:
-- supabase/migrations must only rely on what real Supabase provides, and this file recreates
-- that on a plain PostgreSQL 15, taking supabase/postgres as the reference
-- (migrations/db/init-scripts/*.sql, then migrations/db/migrations/*.sql).
--
-- Run by scripts/lib.sh as `supabase_admin`, the cluster's bootstrap superuser, as on the
-- platform. Migrations and the seed then run as `postgres`, which is NOT a superuser here,
-- exactly as on a Supabase project. Idempotent, so `start` runs it on every boot.
--
-- Where this file deliberately differs from the platform, a comment says why. Roles and
-- schemas nothing here uses (storage, realtime, graphql, vault, dashboard_user,
-- supabase_storage_admin, pgbouncer, ...) are left out: no migration may depend on them.

-- ===========================================================================
-- Roles (init-scripts/00000000000000-initial-schema.sql, 00000000000001-auth-schema.sql,
-- migrations/10000000000000_demote-postgres.sql, 20230529180330_alter_api_roles_for_inherit)
-- ===========================================================================
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'postgres') then
    create role postgres login password 'postgres';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  -- GoTrue's own role: it owns the auth schema's objects and is what the auth server logs in
  -- as. The local auth server connects with this password (scripts/lib.sh AUTH_DB_URL).
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin noinherit createrole login noreplication
      password 'postgres';
  end if;
end
$$;

-- The platform's demotion of postgres: what migrations, the seed, the functions' direct
-- connection and `supabase test db` all run as. Not a superuser, but bypasses RLS.
alter role postgres nosuperuser createdb createrole login replication bypassrls;
alter database postgres owner to postgres;

-- The API roles inherit since 20230529180330 (PostgREST switches to them with SET ROLE).
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;
alter role postgres set search_path = "$user", public, extensions;

grant anon, authenticated, service_role to authenticator;
-- 20230201083204: the functions connect as postgres and switch to these per transaction.
grant anon, authenticated, service_role to postgres;
-- 20220609081115: postgres manages auth tables' triggers (our sign-up trigger on auth.users).
grant supabase_auth_admin to postgres;
-- 20230306081037, 20240606060239
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

-- ===========================================================================
-- public: the permissive default privileges of self-hosted Supabase and the CLI's local
-- stack. Every table, sequence and function that postgres (or supabase_admin) creates in
-- public is granted in full to the API roles, so a migration that does not revoke them
-- leaves its tables open to anon. Hosted projects stopped doing this in 2026; reproducing
-- the permissive variant makes our tests prove that the migrations never rely on either.
-- ===========================================================================
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;

-- ===========================================================================
-- extensions (initial schema, 20230224042246_grant_extensions_perms_for_postgres)
-- ===========================================================================
create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
grant all privileges on all tables in schema extensions to postgres with grant option;
grant all privileges on all routines in schema extensions to postgres with grant option;
grant all privileges on all sequences in schema extensions to postgres with grant option;
alter default privileges in schema extensions
  grant all on tables to postgres with grant option;
alter default privileges in schema extensions
  grant all on routines to postgres with grant option;
alter default privileges in schema extensions
  grant all on sequences to postgres with grant option;

-- pg_cron lives in pg_catalog, as the dashboard installs it (an extension in public is an
-- advisor warning). Created here, because on the platform supautils lets postgres create
-- it, which a plain Postgres cannot: the migrations' `create extension if not exists`
-- then finds it. The grants are extensions.grant_pg_cron_access(), as of 20231020085357:
-- postgres may use everything in cron but write cron.job only through cron.schedule.
create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres with grant option;
grant all on all functions in schema cron to postgres with grant option;
grant all privileges on all tables in schema cron to postgres with grant option;
grant all privileges on all sequences in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;

-- ===========================================================================
-- auth: the schema GoTrue migrates, its objects owned by supabase_auth_admin
-- (init-scripts/00000000000001-auth-schema.sql, 20211115181400_update-auth-permissions,
-- 20211124212715_update-auth-owner). Only the tables and helpers Lytics and the local auth
-- server use, with the columns of a current GoTrue.
-- ===========================================================================
create schema if not exists auth authorization supabase_admin;
grant all privileges on schema auth to supabase_auth_admin;
grant usage on schema auth to postgres, anon, authenticated, service_role;
-- Deliberately different: the local auth server hashes passwords with pgcrypto, where
-- GoTrue does bcrypt in Go and needs no extension.
grant usage on schema extensions to supabase_auth_admin;

-- Created as supabase_auth_admin, as GoTrue's own migrations create them.
set role supabase_auth_admin;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key default gen_random_uuid(),
  aud varchar(255) default 'authenticated',
  role varchar(255) default 'authenticated',
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255) default '',
  confirmation_sent_at timestamptz,
  recovery_token varchar(255) default '',
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255) default '',
  email_change varchar(255) default '',
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb default '{}'::jsonb,
  raw_user_meta_data jsonb default '{}'::jsonb,
  is_super_admin boolean,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  phone text unique default null,
  phone_confirmed_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  banned_until timestamptz,
  deleted_at timestamptz,
  is_sso_user boolean not null default false,
  is_anonymous boolean not null default false
);
create unique index if not exists users_email_partial_key on auth.users (lower(email)) where is_sso_user = false;

create table if not exists auth.identities (
  id uuid primary key default gen_random_uuid(),
  provider_id text not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  identity_data jsonb not null,
  provider text not null,
  last_sign_in_at timestamptz,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  email text generated always as (lower(identity_data ->> 'email')) stored,
  unique (provider_id, provider)
);
create index if not exists identities_user_id_idx on auth.identities (user_id);

create table if not exists auth.sessions (
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  aal text default 'aal1',
  not_after timestamptz,
  refreshed_at timestamp,
  user_agent text,
  ip inet
);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id bigserial primary key,
  token varchar(255) unique,
  user_id varchar(255),
  revoked boolean default false,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  parent varchar(255),
  session_id uuid references auth.sessions (id) on delete cascade
);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);

-- Exactly as supabase/auth migrations/20240624145325_recreate_auth_functions.up.sql
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;

reset role;

-- 20211115181400: postgres may read and write every auth table (the seed creates users).
grant all on all tables in schema auth to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all routines in schema auth to postgres;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on tables to postgres;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on sequences to postgres;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on routines to postgres;

-- No supabase_migrations schema here: `supabase db push` creates its history table itself,
-- as it does on a new project.
