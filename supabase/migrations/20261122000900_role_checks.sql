-- ===========================================================================
-- One rule for 403 and 404
-- ===========================================================================
-- Authorization is decided in SQL, never re-ranked in TypeScript: RLS hides what a caller
-- may not see (an empty result, which the API answers 404), and a route that needs a role
-- asks this function, which raises LY404 for a non-member (saying nothing about whether the
-- organization exists) and LY403 for a member whose role is too weak. shared/http/errors.ts
-- turns LYnnn into the status nnn.
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
