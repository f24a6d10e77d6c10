-- ===========================================================================
-- Soft-deleted users are forgotten as deleted ones are
-- ===========================================================================
-- GoTrue's soft delete (DELETE /auth/v1/admin/users/{id} with should_soft_delete, or
-- supabase.auth.admin.deleteUser(id, true)) keeps the auth.users row and sets deleted_at,
-- so no foreign key fires and on_auth_user_deleted does not run. The user, who can no
-- longer sign in, would stay a member of their organizations, sometimes the only owner,
-- and an access token issued before the delete would keep reading their data until it
-- expired. So when deleted_at is first set:
--   * their organizations are handed over by the rule of a hard delete;
--   * then every row that refers to them is deleted or cleared as its foreign key's
--     ON DELETE says. The foreign keys are read from the catalog, so a table added later
--     is covered by declaring its key, as it is for a hard delete. A key without a
--     delete action (none today) keeps pointing at the kept row.

-- The hand-over, callable for a user id; on_auth_user_deleted's function now calls it.
create function private.hand_over_organizations_of(leaving uuid) returns void
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
    where m.user_id = leaving and m.role = 'owner'
    order by o.id
    for update of o
  loop
    continue when exists (
      select 1 from public.memberships
      where org_id = org and role = 'owner' and user_id <> leaving
    );
    select m.user_id into heir from public.memberships m
    where m.org_id = org and m.user_id <> leaving
    order by m.role desc, m.created_at, m.user_id
    limit 1;
    if heir is null then
      delete from public.organizations where id = org;
    else
      update public.memberships set role = 'owner' where org_id = org and user_id = heir;
    end if;
  end loop;
end
$$;
revoke all on function private.hand_over_organizations_of(uuid)
  from public, anon, authenticated, service_role;

create or replace function private.hand_over_organizations() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.hand_over_organizations_of(old.id);
  return old;
end
$$;

-- What the foreign keys to auth.users would do on a hard delete, for our schemas only:
-- GoTrue clears its own (identities, sessions) when it soft-deletes.
create function private.forget_user() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  ref record;
begin
  perform private.hand_over_organizations_of(new.id);
  for ref in
    select c.conrelid::regclass as tbl, a.attname as col, c.confdeltype as action
    from pg_catalog.pg_constraint c
    join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid = 'auth.users'::regclass
      and cardinality(c.conkey) = 1
      and c.conparentid = 0 -- a partitioned table's key once, not once per partition
      and c.connamespace in ('public'::regnamespace, 'private'::regnamespace)
    order by c.conrelid::regclass::text, a.attname
  loop
    if ref.action = 'c' then
      execute format('delete from %s where %I = $1', ref.tbl, ref.col) using new.id;
    elsif ref.action = 'n' then
      execute format('update %s set %I = null where %I = $1', ref.tbl, ref.col, ref.col)
        using new.id;
    end if;
  end loop;
  return null;
end
$$;
revoke all on function private.forget_user() from public, anon, authenticated, service_role;

create trigger on_auth_user_soft_deleted after update of deleted_at on auth.users
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.forget_user();
