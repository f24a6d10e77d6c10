-- Organizations: the tenants of Lytics. Who belongs to which organization and in which role,
-- invitations, profiles, and the checks that every policy, here and in
-- 20261122000200_analytics.sql, and every route that needs a role asks.
--
-- Migrations are append-only: once this file is on main it is never edited, reordered or
-- renumbered, because databases that applied it would not apply it again. Change the schema
-- with a new migration (`supabase migration new <name>`).

-- ===========================================================================
-- private schema: authorization helpers the API never exposes
-- ===========================================================================
-- The API exposes public; what policies and definer functions need, but no client may call
-- or read directly, lives here.
create schema if not exists private;
grant usage on schema private to authenticated, service_role;

-- The platform's default privileges differ (self-hosted Supabase and the CLI grant anon,
-- authenticated and service_role everything that postgres creates in public; hosted projects
-- no longer do, but may keep TRUNCATE, REFERENCES and TRIGGER). So every object below
-- revokes everything from the API roles right where it is created, then grants give back
-- exactly what each role needs. Functions also lose PUBLIC's default EXECUTE.

-- Ordered weakest to strongest so `role >= 'admin'` reads as "admin or better".
-- shared/domain/roles.ts lists the same roles in the same order.
create type public.org_role as enum ('viewer', 'member', 'admin', 'owner');

-- ===========================================================================
-- organizations
-- ===========================================================================
-- Timezone names are checked against the server's tz database, the same one that
-- the dashboard's `at time zone` uses, so a stored zone can always be queried.
-- The API checks names first against the runtime's copy of the same IANA database
-- (shared/domain/timezone.ts); this check has the last word.
create function private.is_valid_timezone(tz text) returns boolean
language sql stable
set search_path = ''
as $$
  select exists (select 1 from pg_catalog.pg_timezone_names where name = tz)
$$;
revoke all on function private.is_valid_timezone(text)
  from public, anon, authenticated, service_role;
grant execute on function private.is_valid_timezone(text) to authenticated, service_role;

-- The tenant. The slug is URL-safe; the timezone decides the organization's calendar days
-- in dashboards and actor rollups.
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  slug text not null unique
    check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  timezone text not null default 'UTC' check (private.is_valid_timezone(timezone)),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.organizations enable row level security;
revoke all on public.organizations from anon, authenticated, service_role;
create index organizations_created_by_idx on public.organizations (created_by);

-- ===========================================================================
-- memberships, and the role checks every policy asks
-- ===========================================================================
-- Who belongs to an organization, and in which role.
create table public.memberships (
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role public.org_role not null default 'member',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, user_id)
);
alter table public.memberships enable row level security;
revoke all on public.memberships from anon, authenticated, service_role;
-- The primary key serves lookups by org; policies also look up by user.
create index memberships_user_id_idx on public.memberships (user_id, org_id);

-- The caller's role in an organization, or null. Security definer so that policies on
-- memberships can call it without recursing into their own RLS.
create function private.org_role(target_org uuid) returns public.org_role
language sql stable security definer
set search_path = ''
as $$
  select m.role from public.memberships m
  where m.org_id = target_org and m.user_id = (select auth.uid())
$$;
revoke all on function private.org_role(uuid) from public, anon, authenticated, service_role;
grant execute on function private.org_role(uuid) to authenticated, service_role;

-- True when the caller holds at least `min_role` in the organization.
create function private.has_org_role(target_org uuid, min_role public.org_role)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce(private.org_role(target_org) >= min_role, false)
$$;
revoke all on function private.has_org_role(uuid, public.org_role)
  from public, anon, authenticated, service_role;
grant execute on function private.has_org_role(uuid, public.org_role) to authenticated, service_role;

-- Organizations the caller belongs to; lets policies on big tables use `= any(...)`
-- with one evaluation per statement instead of one per row.
create function private.my_org_ids() returns uuid[]
language sql stable security definer
set search_path = ''
as $$
  select coalesce(array_agg(m.org_id), '{}') from public.memberships m
  where m.user_id = (select auth.uid())
$$;
revoke all on function private.my_org_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_org_ids() to authenticated, service_role;

-- One rule for 403 and 404. Authorization is decided in SQL, never re-ranked in TypeScript:
-- RLS hides what a caller may not see (an empty result, which the API answers 404), and a
-- route that needs a role asks this function, which raises LY404 for a non-member (saying
-- nothing about whether the organization exists) and LY403 for a member whose role is too
-- weak. shared/http/errors.ts turns LYnnn into the status nnn.
create function private.require_org_role(target_org uuid, min_role public.org_role)
returns public.org_role
language plpgsql stable security definer
set search_path = ''
as $$
declare
  held public.org_role := private.org_role(target_org);
begin
  if held is null then
    raise exception 'organization not found' using errcode = 'LY404';
  end if;
  if held < min_role then
    raise exception 'this needs the % role or higher', min_role using errcode = 'LY403';
  end if;
  return held;
end
$$;
revoke all on function private.require_org_role(uuid, public.org_role)
  from public, anon, authenticated, service_role;
grant execute on function private.require_org_role(uuid, public.org_role) to authenticated;

-- ===========================================================================
-- invitations
-- ===========================================================================
-- An admin invites an e-mail address into a role; the invitee accepts with the token
-- (private.accept_invitation below). Only a SHA-256 of the token is stored; the token
-- itself is shown once to the inviter.
create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+$'),
  role public.org_role not null default 'member' check (role <> 'owner'),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid references auth.users (id) on delete set null,
  expires_at timestamptz not null default now() + interval '7 days',
  accepted_at timestamptz,
  accepted_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
alter table public.invitations enable row level security;
revoke all on public.invitations from anon, authenticated, service_role;
-- One open invitation per address and organization.
create unique index invitations_open_email_idx on public.invitations (org_id, email)
  where accepted_at is null;
create index invitations_org_id_idx on public.invitations (org_id, created_at desc);
-- Deleting a user sets these to null: without an index each deletion scans every invitation
-- (the advisors' unindexed_foreign_keys).
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);

-- ===========================================================================
-- profiles: one per auth user, created by the sign-up trigger
-- ===========================================================================
-- What a user shows others (name, avatar) and their default organization, which is the
-- tenant of their data requests (private.active_org_id).
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text check (char_length(display_name) <= 100),
  avatar_url text check (avatar_url ~ '^https?://' and char_length(avatar_url) <= 2048),
  default_organization_id uuid references public.organizations (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.profiles enable row level security;
revoke all on public.profiles from anon, authenticated, service_role;
create index profiles_default_organization_id_idx on public.profiles (default_organization_id);

-- True when the caller shares an organization with `other_user` (to show member names).
create function private.shares_org_with(other_user uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.memberships mine
    join public.memberships theirs on theirs.org_id = mine.org_id
    where mine.user_id = (select auth.uid()) and theirs.user_id = other_user
  )
$$;
revoke all on function private.shares_org_with(uuid)
  from public, anon, authenticated, service_role;
grant execute on function private.shares_org_with(uuid) to authenticated, service_role;

-- ===========================================================================
-- The member directory
-- ===========================================================================
-- Who belongs to an organization, with their e-mail address. auth.users is not readable
-- under RLS, so a definer function reads it, and only for a caller who is a member of that
-- organization (co-members already see names and roles).
create function private.org_members(target_org uuid)
returns table (
  user_id uuid,
  email text,
  display_name text,
  avatar_url text,
  role public.org_role,
  joined_at timestamptz
)
language sql stable security definer
set search_path = ''
as $$
  select m.user_id, u.email::text, p.display_name, p.avatar_url, m.role, m.created_at
  from public.memberships m
  join auth.users u on u.id = m.user_id
  left join public.profiles p on p.id = m.user_id
  where m.org_id = target_org
    and exists (
      select 1 from public.memberships me
      where me.org_id = target_org and me.user_id = (select auth.uid())
    )
  order by m.role desc, m.created_at, m.user_id
$$;
revoke all on function private.org_members(uuid) from public, anon, authenticated, service_role;
grant execute on function private.org_members(uuid) to authenticated, service_role;

-- ===========================================================================
-- Triggers
-- ===========================================================================
-- Keeps updated_at true without every writer having to remember it.
create function private.touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
-- Trigger functions are only ever run by their triggers, which need no EXECUTE grant.
revoke all on function private.touch_updated_at() from public, anon, authenticated, service_role;

create trigger organizations_touch before update on public.organizations
  for each row execute function private.touch_updated_at();
create trigger memberships_touch before update on public.memberships
  for each row execute function private.touch_updated_at();
create trigger profiles_touch before update on public.profiles
  for each row execute function private.touch_updated_at();

-- Sign-up creates the profile, named from what the user typed at sign-up if anything.
create function private.handle_new_user() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, display_name)
  values (
    new.id,
    nullif(left(coalesce(new.raw_user_meta_data ->> 'display_name',
                         new.raw_user_meta_data ->> 'full_name', ''), 100), '')
  );
  return new;
end
$$;
revoke all on function private.handle_new_user() from public, anon, authenticated, service_role;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

-- The creator of an organization becomes its first owner, in the same statement, so
-- an organization never exists without one. It also becomes their default if they had none.
create function private.handle_new_organization() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.created_by is not null then
    insert into public.memberships (org_id, user_id, role)
    values (new.id, new.created_by, 'owner');
    update public.profiles set default_organization_id = new.id
    where id = new.created_by and default_organization_id is null;
  end if;
  return new;
end
$$;
revoke all on function private.handle_new_organization()
  from public, anon, authenticated, service_role;

create trigger on_organization_created after insert on public.organizations
  for each row execute function private.handle_new_organization();

-- Only owners may hand out or take away the owner role. Service work (no auth.uid())
-- is trusted. SQLSTATE LY403 is mapped to HTTP 403 by the API.
-- Deleting the organization cascades here after it is gone: the actor's own membership may
-- already be deleted by then, so the check would wrongly refuse an owner deleting an
-- organization that has other owners.
create function private.guard_owner_role() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
begin
  if actor is null
     or (tg_op = 'DELETE'
         and not exists (select 1 from public.organizations where id = old.org_id)) then
    return coalesce(new, old);
  end if;
  if (tg_op = 'UPDATE' and (old.role = 'owner' or new.role = 'owner')
      and old.role is distinct from new.role)
     or (tg_op = 'DELETE' and old.role = 'owner' and old.user_id <> actor) then
    if not private.has_org_role(old.org_id, 'owner') then
      raise exception 'only an owner can grant or remove the owner role'
        using errcode = 'LY403';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function private.guard_owner_role() from public, anon, authenticated, service_role;

create trigger memberships_guard_owner before update or delete on public.memberships
  for each row execute function private.guard_owner_role();

-- An organization always keeps at least one owner; deleting the organization itself
-- (which cascades to its memberships) is the only way to have none.
create function private.ensure_an_owner_remains() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if old.role = 'owner'
     and exists (select 1 from public.organizations where id = old.org_id)
     and not exists (
       select 1 from public.memberships where org_id = old.org_id and role = 'owner'
     ) then
    raise exception 'an organization must keep at least one owner'
      using errcode = 'LY409';
  end if;
  return null;
end
$$;
revoke all on function private.ensure_an_owner_remains()
  from public, anon, authenticated, service_role;

create trigger memberships_keep_an_owner after update or delete on public.memberships
  for each row execute function private.ensure_an_owner_remains();

-- ===========================================================================
-- Deleting a user (Supabase's dashboard, or DELETE /auth/v1/admin/users/{id})
-- ===========================================================================
-- Their memberships go with them (on delete cascade), but an organization whose only owner
-- they were would be left without one, which ensure_an_owner_remains refuses, failing the
-- whole deletion. Instead, before the user row goes:
--   * an organization with nobody else in it is deleted, with all its data;
--   * otherwise the strongest, then longest-standing, remaining member becomes its owner:
--     an admin if there is one, else a member, else a viewer. A viewer is still someone
--     who chose to be there, and deleting data people can still see would surprise them
--     more than an unexpected promotion (which the new owner can hand on or undo).
-- Organizations with another owner are left as they are.
create function private.hand_over_organizations() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  org uuid;
  heir uuid;
begin
  -- Lock every organization the user owns, in one order, so two owners of the same one
  -- deleted at the same time cannot each count on the other staying.
  for org in
    select o.id from public.organizations o
    join public.memberships m on m.org_id = o.id
    where m.user_id = old.id and m.role = 'owner'
    order by o.id
    for update of o
  loop
    continue when exists (
      select 1 from public.memberships
      where org_id = org and role = 'owner' and user_id <> old.id
    );
    select m.user_id into heir from public.memberships m
    where m.org_id = org and m.user_id <> old.id
    order by m.role desc, m.created_at, m.user_id
    limit 1;
    if heir is null then
      delete from public.organizations where id = org;
    else
      update public.memberships set role = 'owner' where org_id = org and user_id = heir;
    end if;
  end loop;
  return old;
end
$$;
revoke all on function private.hand_over_organizations()
  from public, anon, authenticated, service_role;

create trigger on_auth_user_deleted before delete on auth.users
  for each row execute function private.hand_over_organizations();

-- ===========================================================================
-- Invitation acceptance
-- ===========================================================================
-- The invitee is not a member yet, so no member policy can let them in; this definer
-- function checks the token and their verified e-mail.
create function private.accept_invitation(invite_token_hash text) returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  invite public.invitations;
  me uuid := (select auth.uid());
begin
  if me is null then
    raise exception 'not signed in' using errcode = 'LY401';
  end if;
  select * into invite from public.invitations
  where token_hash = invite_token_hash and accepted_at is null
  for update;
  if not found or invite.expires_at < now()
     or invite.email <> lower(coalesce((select auth.email()), '')) then
    raise exception 'invitation not found, expired, or addressed to someone else'
      using errcode = 'LY404';
  end if;
  if exists (select 1 from public.memberships where org_id = invite.org_id and user_id = me) then
    raise exception 'already a member of this organization' using errcode = 'LY409';
  end if;
  insert into public.memberships (org_id, user_id, role) values (invite.org_id, me, invite.role);
  update public.invitations set accepted_at = now(), accepted_by = me where id = invite.id;
  update public.profiles set default_organization_id = invite.org_id
  where id = me and default_organization_id is null;
  return invite.org_id;
end
$$;
revoke all on function private.accept_invitation(text)
  from public, anon, authenticated, service_role;
grant execute on function private.accept_invitation(text) to authenticated;

-- ===========================================================================
-- Signed-out sessions
-- ===========================================================================
-- An access token stays valid until it expires (up to an hour) even after its session
-- is signed out (POST /auth/v1/logout deletes the auth.sessions row) or revoked (a reused
-- refresh token sets not_after). shared/db.ts calls this in the statement that sets up
-- every user transaction, so a data request with such a token fails at no extra round
-- trip. SQLSTATE LY401 is answered 401 by shared/http/errors.ts.
--
-- A token without a session_id (minted with the project's key, not by a sign-in) has no
-- session to end: `session` is null and the check passes. The session must also belong
-- to the token's user. Security definer because the API roles cannot read auth.sessions.
create function private.assert_live_session(session uuid, owner uuid) returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
begin
  if session is null then
    return true;
  end if;
  if not exists (
    select 1 from auth.sessions s
    where s.id = session and s.user_id = owner and (s.not_after is null or s.not_after > now())
  ) then
    raise exception 'the session has ended; sign in again' using errcode = 'LY401';
  end if;
  return true;
end
$$;
revoke all on function private.assert_live_session(uuid, uuid)
  from public, anon, authenticated, service_role;
grant execute on function private.assert_live_session(uuid, uuid) to authenticated;

-- ===========================================================================
-- Grants: nothing for anon; authenticated gets what its policies then narrow down
-- ===========================================================================
-- Updates are granted per column: policies judge rows, not columns, so without this an
-- admin could move a membership to another user or organization, or rewrite created_by.
grant select, insert, delete on public.organizations to authenticated;
grant update (name, slug, timezone) on public.organizations to authenticated;
grant select, delete on public.memberships to authenticated;
grant update (role) on public.memberships to authenticated;
grant select, insert, delete on public.invitations to authenticated;
grant select on public.profiles to authenticated;
grant update (display_name, avatar_url, default_organization_id) on public.profiles
  to authenticated;
-- Service work reads and writes rows; it never truncates, references or adds triggers.
grant select, insert, update, delete
  on public.organizations, public.memberships, public.invitations, public.profiles
  to service_role;

-- ===========================================================================
-- Policies
-- ===========================================================================
create policy "Members can read their organizations" on public.organizations
  for select to authenticated
  using (id = any ((select private.my_org_ids())::uuid[]));

create policy "Users can create organizations they own" on public.organizations
  for insert to authenticated
  with check (created_by = (select auth.uid()));

create policy "Admins can update their organization" on public.organizations
  for update to authenticated
  using ((select private.has_org_role(id, 'admin')))
  with check ((select private.has_org_role(id, 'admin')));

create policy "Owners can delete their organization" on public.organizations
  for delete to authenticated
  using ((select private.has_org_role(id, 'owner')));

create policy "Members can read their organization's members" on public.memberships
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Admins can change members' roles" on public.memberships
  for update to authenticated
  using ((select private.has_org_role(org_id, 'admin')))
  with check ((select private.has_org_role(org_id, 'admin')));

create policy "Admins can remove members and anyone can leave" on public.memberships
  for delete to authenticated
  using (user_id = (select auth.uid()) or (select private.has_org_role(org_id, 'admin')));

create policy "Admins can read their organization's invitations" on public.invitations
  for select to authenticated
  using ((select private.has_org_role(org_id, 'admin')));

create policy "Admins can invite" on public.invitations
  for insert to authenticated
  with check (
    (select private.has_org_role(org_id, 'admin'))
    and invited_by = (select auth.uid())
    and accepted_at is null
  );

create policy "Admins can revoke open invitations" on public.invitations
  for delete to authenticated
  using ((select private.has_org_role(org_id, 'admin')) and accepted_at is null);

create policy "Users can read their own profile and their co-members'" on public.profiles
  for select to authenticated
  using (id = (select auth.uid()) or (select private.shares_org_with(id)));

create policy "Users can update their own profile" on public.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (
    id = (select auth.uid())
    and (default_organization_id is null
         or (select private.has_org_role(default_organization_id, 'viewer')))
  );
