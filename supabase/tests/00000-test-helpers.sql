-- Helpers for the pgTAP suite, in the spirit of basejump's supabase_test_helpers:
-- create auth users by nickname, act as one of them under RLS, and go back to postgres
-- (not a superuser, but it bypasses RLS, as on Supabase where `supabase test db` runs as it).
-- This file commits (it is not a test of its own beyond one sanity check); every other
-- file runs in a transaction and rolls back.
begin;
create extension if not exists pgtap with schema extensions;
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Creates an auth user named `nickname` (e-mail nickname@test.local) and returns its id.
create or replace function tests.create_supabase_user(nickname text, email text default null)
returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  user_id uuid := gen_random_uuid();
begin
  insert into auth.users (id, email, raw_user_meta_data, aud, role, email_confirmed_at)
  values (user_id, coalesce(email, nickname || '@test.local'),
          jsonb_build_object('test_nickname', nickname), 'authenticated', 'authenticated', now());
  return user_id;
end
$$;

create or replace function tests.get_supabase_uid(nickname text) returns uuid
language sql stable security definer
set search_path = ''
as $$
  select id from auth.users where raw_user_meta_data ->> 'test_nickname' = nickname
$$;

-- Definer, so switching straight from one user to another (still `authenticated`) works.
create or replace function tests.get_supabase_email(nickname text) returns text
language sql stable security definer
set search_path = ''
as $$
  select email from auth.users where raw_user_meta_data ->> 'test_nickname' = nickname
$$;

-- An organization's id by slug, for tests acting as users who cannot see it.
create or replace function tests.get_org_id(org_slug text) returns uuid
language sql stable security definer
set search_path = ''
as $$
  select id from public.organizations where slug = org_slug
$$;

-- Acts as the user for the rest of the transaction: their claims and the authenticated role,
-- as shared/db.ts sets them for a user.
create or replace function tests.authenticate_as(nickname text) returns void
language plpgsql
set search_path = ''
as $$
declare
  uid uuid := tests.get_supabase_uid(nickname);
  mail text := tests.get_supabase_email(nickname);
begin
  if uid is null then
    raise exception 'no test user named %', nickname;
  end if;
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', uid, 'role', 'authenticated', 'email', mail, 'aud', 'authenticated')::text, true);
  perform set_config('role', 'authenticated', true);
end
$$;

create or replace function tests.authenticate_as_anon() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
  perform set_config('role', 'anon', true);
end
$$;

create or replace function tests.clear_authentication() returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('request.jwt.claims', null, true);
  perform set_config('role', 'postgres', true);
end
$$;

-- An organization owned by `owner_nickname`, created as postgres (which bypasses RLS).
create or replace function tests.create_org(owner_nickname text, org_slug text) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  org uuid;
begin
  insert into public.organizations (name, slug, created_by)
  values (initcap(org_slug), org_slug, tests.get_supabase_uid(owner_nickname))
  returning id into org;
  return org;
end
$$;

-- Adds `nickname` to the organization with `member_role`.
create or replace function tests.add_member(org uuid, nickname text, member_role public.org_role)
returns void
language sql security definer
set search_path = ''
as $$
  insert into public.memberships (org_id, user_id, role)
  values (org, tests.get_supabase_uid(nickname), member_role)
$$;

-- `nickname`'s role in the organization `org_slug`, or null; definer, so it reads past RLS.
create or replace function tests.role_in(org_slug text, nickname text) returns public.org_role
language sql stable security definer
set search_path = ''
as $$
  select role from public.memberships
  where org_id = tests.get_org_id(org_slug) and user_id = tests.get_supabase_uid(nickname)
$$;

-- The usual cast: `acme`, owned by owner with an admin, a member and a viewer, and `other`,
-- owned by outsider, who has nothing to do with acme.
create or replace function tests.create_acme_and_other() returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  perform tests.create_supabase_user(nickname)
  from unnest(array['owner', 'admin', 'member', 'viewer', 'outsider']) as nickname;
  perform tests.create_org('owner', 'acme');
  perform tests.create_org('outsider', 'other');
  perform tests.add_member(tests.get_org_id('acme'), nickname, nickname::public.org_role)
  from unnest(array['admin', 'member', 'viewer']) as nickname;
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

select plan(1);
select has_function('tests', 'authenticate_as', array['text'], 'test helpers are installed');
select * from finish();
commit;
