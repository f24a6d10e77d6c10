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
-- schemas nothing here uses (storage, realtime, graphql, dashboard_user,
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

-- ===========================================================================
-- net: a stand-in for pg_net (supabase/pg_net sql/pg_net.sql), which Debian does not
-- package. Same objects, columns, signatures and grants as the extension, so a migration
-- that calls net.http_post runs unchanged here and on hosted Supabase. As in pg_net,
-- http_post only queues: the row is visible to the sender (local/net/worker.ts, started by
-- the gateway) once the transaction commits, and a rolled-back request never leaves.
-- ===========================================================================
create schema if not exists net authorization supabase_admin;

do $$
begin
  if not exists (select 1 from pg_type where typname = 'http_method'
                 and typnamespace = 'net'::regnamespace) then
    create domain net.http_method as text
      check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
end
$$;

-- Unlogged, as pg_net's: a crash loses queued requests and responses, not committed data.
create unlogged table if not exists net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb,
  body bytea,
  timeout_milliseconds int not null
);

create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);

-- pg_net's C helpers, in SQL: percent-encode a parameter (RFC 3986 unreserved kept).
create or replace function net._urlencode_string(string varchar) returns text
language sql immutable
as $$
  select coalesce(string_agg(
    case when b between 48 and 57 or b between 65 and 90 or b between 97 and 122
              or b in (45, 46, 95, 126) then chr(b)
         else '%' || upper(lpad(to_hex(b), 2, '0')) end, '' order by i), '')
  from (
    select i, get_byte(convert_to(string, 'UTF8'), i) as b
    from generate_series(0, octet_length(convert_to(string, 'UTF8')) - 1) as i
  ) as bytes
$$;

create or replace function net._encode_url_with_params_array(url text, params_array text[])
returns text
language sql immutable
as $$
  select case when coalesce(cardinality(params_array), 0) = 0 then url
              else url || case when position('?' in url) > 0 then '&' else '?' end
                       || array_to_string(params_array, '&') end
$$;

-- pg_net wakes its background worker here; the stand-in's worker LISTENs on this channel.
-- NOTIFY is delivered at commit, exactly when the queued row becomes visible.
create or replace function net.wake() returns void
language sql
as $$ select pg_notify('lytics_pg_net_wake', '') $$;

-- The worker connects with this application_name, standing for pg_net's backend_type.
create or replace function net.check_worker_is_up() returns void
language plpgsql
as $$
begin
  if not exists (select 1 from pg_stat_activity where application_name = 'pg_net worker') then
    raise exception using
      message = 'the pg_net background worker is not up',
      detail = 'locally, the pg_net stand-in runs in the gateway (local/net/worker.ts)',
      hint = 'start the stack with scripts/start';
  end if;
end
$$;

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
begin
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  params_array text[];
  content_type text;
begin
  -- As pg_net: a Content-Type is added when missing, and only JSON bodies are accepted.
  select header_value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as r(header_name, header_value)
  where lower(header_name) = 'content-type'
  limit 1;

  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  end if;

  if content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._encode_url_with_params_array(url, params_array), headers,
          convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;

  perform net.wake();
  return request_id;
end
$$;

-- pg_net's grants (0.12+): the schema and its tables are open to every role, and the
-- functions keep PUBLIC's default EXECUTE; the Data API does not expose `net`.
grant usage on schema net to public;
grant all on all tables in schema net to public;
grant all on all sequences in schema net to public;

-- ===========================================================================
-- vault: a stand-in for supabase_vault 0.3 (supabase/vault sql/supabase_vault--0.3.0.sql),
-- which needs libsodium and is not packaged for Debian. Same table, view, functions and
-- grants (supabase/postgres ansible/.../supabase_vault/after-create.sql): postgres and
-- service_role may create, update, read and delete secrets; anon and authenticated may not.
-- Secrets are encrypted, as in the real vault, with a root key kept outside the database
-- (a file in the data directory, as pgsodium's root key is), so a dump holds ciphertext
-- only. The cipher differs: pgcrypto's PGP symmetric encryption (authenticated, with the
-- secret's id mixed into the passphrase as the associated data) instead of libsodium's
-- deterministic AEAD, which pgcrypto lacks.
-- ===========================================================================
create schema if not exists vault authorization supabase_admin;

-- The root key: 32 random bytes, made once per cluster, readable only by the superuser.
do $$
begin
  if pg_stat_file('lytics_vault_root.key', true) is null then
    execute format('copy (select encode(extensions.gen_random_bytes(32), %L)) to %L', 'hex',
                   current_setting('data_directory') || '/lytics_vault_root.key');
  end if;
end
$$;

create or replace function vault._local_passphrase(additional bytea, context bytea)
returns text
language sql stable security definer
set search_path = ''
as $$
  select btrim(pg_catalog.pg_read_file('lytics_vault_root.key'), E' \n')
    || ':' || encode(context, 'hex') || ':' || encode(additional, 'hex')
$$;
revoke all on function vault._local_passphrase(bytea, bytea) from public;

create or replace function vault._crypto_aead_det_noncegen() returns bytea
language sql volatile
as $$ select extensions.gen_random_bytes(16) $$;

create or replace function vault._crypto_aead_det_encrypt(
  message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null
) returns bytea
language sql volatile security definer
set search_path = ''
as $$
  select extensions.pgp_sym_encrypt_bytea(message, vault._local_passphrase(additional, context),
    'cipher-algo=aes256, s2k-mode=1')
$$;

create or replace function vault._crypto_aead_det_decrypt(
  message bytea, additional bytea, key_id bigint, context bytea = 'pgsodium', nonce bytea = null
) returns bytea
language sql stable security definer
set search_path = ''
as $$
  select extensions.pgp_sym_decrypt_bytea(message, vault._local_passphrase(additional, context))
$$;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default vault._crypto_aead_det_noncegen(),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
comment on table vault.secrets is
  'Table with encrypted `secret` column for storing sensitive information on disk.';
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;

create or replace view vault.decrypted_secrets as
select s.id,
  s.name,
  s.description,
  s.secret,
  convert_from(
    vault._crypto_aead_det_decrypt(
      message := decode(s.secret, 'base64'),
      additional := convert_to(s.id::text, 'utf8'),
      key_id := 0,
      context := 'pgsodium'::bytea,
      nonce := s.nonce
    ),
    'utf8'
  ) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;

create or replace function vault.create_secret(
  new_secret text,
  new_name text = null,
  new_description text = '',
  -- unused, as in supabase_vault
  new_key_id uuid = null
) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  rec record;
begin
  insert into vault.secrets (secret, name, description)
  values (new_secret, new_name, new_description)
  returning * into rec;
  update vault.secrets s
  set secret = encode(vault._crypto_aead_det_encrypt(
    message := convert_to(rec.secret, 'utf8'),
    additional := convert_to(s.id::text, 'utf8'),
    key_id := 0,
    context := 'pgsodium'::bytea,
    nonce := rec.nonce
  ), 'base64')
  where id = rec.id;
  return rec.id;
end
$$;

create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text = null,
  new_name text = null,
  new_description text = null,
  -- unused, as in supabase_vault
  new_key_id uuid = null
) returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  update vault.secrets s
  set
    secret = case when new_secret is null then s.secret
                  else encode(vault._crypto_aead_det_encrypt(
                    message := convert_to(new_secret, 'utf8'),
                    additional := convert_to(s.id::text, 'utf8'),
                    key_id := 0,
                    context := 'pgsodium'::bytea,
                    nonce := s.nonce
                  ), 'base64') end,
    name = coalesce(new_name, s.name),
    description = coalesce(new_description, s.description),
    updated_at = now()
  where s.id = secret_id;
end
$$;

revoke all on function vault._crypto_aead_det_encrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_noncegen(),
  vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid)
  from public;
revoke all on vault.secrets, vault.decrypted_secrets from public;

grant usage on schema vault to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
  to postgres with grant option;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid),
  vault.update_secret(uuid, text, text, text, uuid),
  vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea)
  to service_role;
