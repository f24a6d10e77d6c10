-- Deleting a user hands their organizations over instead of failing: an organization with
-- nobody else goes with them; otherwise the strongest, then longest-standing, member becomes
-- owner. Deletions run as supabase_auth_admin, the role GoTrue deletes users as.
begin;
select plan(17);

select tests.create_acme_and_other();
select count(tests.create_supabase_user(nickname))
from unnest(array['solo', 'lead', 'old_admin', 'new_admin', 'only_member', 'only_viewer',
                  'co_owner_a', 'co_owner_b', 'their_admin', 'bystander']) nickname;

-- acme: owner, admin, member, viewer (from the fixture). other: outsider alone.
select tests.create_org('solo', 'solo-org');
-- Two admins: the one who joined first inherits, although the other's id sorts first.
select tests.create_org('lead', 'two-admins');
select tests.add_member(tests.get_org_id('two-admins'), 'old_admin', 'admin');
select tests.add_member(tests.get_org_id('two-admins'), 'new_admin', 'admin');
select tests.add_member(tests.get_org_id('two-admins'), 'bystander', 'member');
update public.memberships set created_at = now() - interval '2 days'
where org_id = tests.get_org_id('two-admins') and user_id = tests.get_supabase_uid('old_admin');
update public.memberships set created_at = now() - interval '1 day'
where org_id = tests.get_org_id('two-admins') and user_id = tests.get_supabase_uid('new_admin');
-- No admin: the member inherits, not the (older) viewer.
select tests.create_org('lead', 'member-heir');
select tests.add_member(tests.get_org_id('member-heir'), 'bystander', 'viewer');
select tests.add_member(tests.get_org_id('member-heir'), 'only_member', 'member');
update public.memberships set created_at = now() - interval '3 days'
where org_id = tests.get_org_id('member-heir') and user_id = tests.get_supabase_uid('bystander');
-- Only a viewer left.
select tests.create_org('lead', 'viewer-heir');
select tests.add_member(tests.get_org_id('viewer-heir'), 'only_viewer', 'viewer');
-- Two owners: nobody is promoted.
select tests.create_org('co_owner_a', 'co-owned');
select tests.add_member(tests.get_org_id('co-owned'), 'co_owner_b', 'owner');
select tests.add_member(tests.get_org_id('co-owned'), 'their_admin', 'admin');

insert into public.metrics (org_id, metric_name, metric_date, value)
values (tests.get_org_id('solo-org'), 'revenue', '2026-01-01', 1),
       (tests.get_org_id('two-admins'), 'revenue', '2026-01-01', 2);

create function pg_temp.delete_user(nickname text) returns void
language plpgsql as $$
declare
  uid uuid := tests.get_supabase_uid(nickname);
begin
  set local role supabase_auth_admin;
  delete from auth.users where id = uid;
  reset role;
end
$$;

-- ---------------------------------------------------------------------------
-- The only person in an organization
-- ---------------------------------------------------------------------------
select lives_ok($$select pg_temp.delete_user('solo')$$, 'the only member of an organization can be deleted');
select is(tests.get_org_id('solo-org'), null, 'their organization is gone');
select is((select count(*)::int from public.metrics where metric_name = 'revenue' and value = 1), 0,
  'with its data');
select is(tests.get_supabase_uid('solo'), null, 'and so is the user');

-- ---------------------------------------------------------------------------
-- Heirs
-- ---------------------------------------------------------------------------
select lives_ok($$select pg_temp.delete_user('lead')$$, 'the only owner of three organizations can be deleted');
select is(tests.role_in('two-admins', 'old_admin'), 'owner', 'the longest-standing admin becomes owner');
select is(tests.role_in('two-admins', 'new_admin'), 'admin', 'the other admin stays admin');
select is(tests.role_in('two-admins', 'bystander'), 'member', 'and a member stays member');
select is((select count(*)::int from public.metrics where org_id = tests.get_org_id('two-admins')), 1,
  'the organization keeps its data');
select is(tests.role_in('member-heir', 'only_member'), 'owner',
  'without an admin, a member becomes owner before an older viewer');
select is(tests.role_in('viewer-heir', 'only_viewer'), 'owner',
  'with only a viewer left, the viewer becomes owner');

-- ---------------------------------------------------------------------------
-- Another owner remains
-- ---------------------------------------------------------------------------
select lives_ok($$select pg_temp.delete_user('co_owner_a')$$, 'one of two owners can be deleted');
select results_eq(
  $$select u.raw_user_meta_data ->> 'test_nickname', m.role from public.memberships m
    join auth.users u on u.id = m.user_id
    where m.org_id = tests.get_org_id('co-owned') order by 1$$,
  $$values ('co_owner_b', 'owner'::public.org_role), ('their_admin', 'admin')$$,
  'the other owner stays the only owner, and nobody is promoted'
);

-- The fixture's acme: its owner goes, its admin takes over; member and viewer stay.
select lives_ok($$select pg_temp.delete_user('owner')$$, 'acme''s owner can be deleted');
select results_eq(
  $$select u.raw_user_meta_data ->> 'test_nickname', m.role from public.memberships m
    join auth.users u on u.id = m.user_id
    where m.org_id = tests.get_org_id('acme') order by m.role desc$$,
  $$values ('admin', 'owner'::public.org_role), ('member', 'member'), ('viewer', 'viewer')$$,
  'acme''s admin becomes owner'
);

-- ---------------------------------------------------------------------------
-- The last-owner rule still holds for everything else
-- ---------------------------------------------------------------------------
select throws_ok(
  $$delete from public.memberships
    where org_id = tests.get_org_id('acme') and user_id = tests.get_supabase_uid('admin')$$,
  'LY409', 'an organization must keep at least one owner',
  'removing the last owner''s membership directly is still refused'
);
select tests.authenticate_as('admin');
select throws_ok(
  $$update public.memberships set role = 'admin'
    where org_id = tests.get_org_id('acme') and user_id = tests.get_supabase_uid('admin')$$,
  'LY409', 'an organization must keep at least one owner',
  'and the new owner cannot demote themselves while alone'
);
select tests.clear_authentication();

select * from finish();
rollback;
