-- The member directory: who belongs to an organization, with their e-mail address.
-- auth.users is not readable under RLS, so a definer function reads it, and only for a
-- caller who is a member of that organization (co-members already see names and roles).

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
