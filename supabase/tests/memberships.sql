-- Memberships under RLS: who sees which members, who changes roles and removes members,
-- the owner rules (LY403) and the last-owner rule (LY409), the role helpers and the
-- member directory.
begin;
select plan(43);

select tests.create_acme_and_other();
select tests.create_supabase_user('leaver');
select tests.add_member(tests.get_org_id('acme'), 'leaver', 'viewer');

-- Role of `nickname` in acme, read as postgres (bypassing RLS).
create function pg_temp.role_of(nickname text) returns public.org_role
language sql as $$
  select m.role from public.memberships m join public.organizations o on o.id = m.org_id
  where o.slug = 'acme' and m.user_id = tests.get_supabase_uid(nickname)
$$;

-- ---------------------------------------------------------------------------
-- Structure and grants
-- ---------------------------------------------------------------------------
select ok((select relrowsecurity from pg_class where oid = 'public.memberships'::regclass),
  'memberships has RLS enabled');
select table_privs_are('public', 'memberships', 'anon', array[]::text[],
  'anon has no privileges on memberships');
select table_privs_are('public', 'memberships', 'authenticated', array['SELECT', 'DELETE'],
  'authenticated may select and delete memberships, never insert them');
select ok(has_column_privilege('authenticated', 'public.memberships', 'role', 'UPDATE'),
  'authenticated may update a role');
select ok(
  not has_column_privilege('authenticated', 'public.memberships', 'user_id', 'UPDATE')
  and not has_column_privilege('authenticated', 'public.memberships', 'org_id', 'UPDATE'),
  'authenticated may not move a membership to another user or organization'
);

-- ---------------------------------------------------------------------------
-- anon
-- ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok('select * from public.memberships', '42501', null, 'anon cannot read memberships');
select throws_ok('delete from public.memberships', '42501', null, 'anon cannot delete memberships');

-- ---------------------------------------------------------------------------
-- select
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select is((select count(*)::int from public.memberships), 5,
  'a viewer sees all five members of their organization');
select tests.authenticate_as('admin');
select is((select count(*)::int from public.memberships), 5, 'an admin sees the same five');
select tests.authenticate_as('outsider');
select results_eq('select user_id from public.memberships',
  $$select tests.get_supabase_uid('outsider')$$,
  'an outsider sees only the members of their own organization');

-- ---------------------------------------------------------------------------
-- the role helpers
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select is(private.org_role(tests.get_org_id('acme')),
  'member'::public.org_role, 'org_role gives the caller''s role');
select ok(private.has_org_role(tests.get_org_id('acme'), 'viewer'),
  'has_org_role: a member is at least a viewer');
select ok(not private.has_org_role(tests.get_org_id('acme'), 'admin'),
  'has_org_role: a member is not an admin');
select tests.authenticate_as('outsider');
select is(private.org_role(tests.get_org_id('acme')), null,
  'org_role is null for an outsider');
select is(cardinality(private.my_org_ids()), 1, 'my_org_ids lists only the caller''s organizations');

-- ---------------------------------------------------------------------------
-- insert: memberships come only from the owner trigger and accepted invitations
-- ---------------------------------------------------------------------------
select tests.authenticate_as('outsider');
select throws_ok(
  $$insert into public.memberships (org_id, user_id, role)
    select id, tests.get_supabase_uid('outsider'), 'owner' from public.organizations where slug = 'other'$$,
  '42501', null, 'nobody can insert a membership directly'
);

-- ---------------------------------------------------------------------------
-- update: admins change roles; the owner role only by owners
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select is_empty(
  $$update public.memberships set role = 'admin' where user_id = tests.get_supabase_uid('viewer') returning 1$$,
  'a viewer cannot promote themselves'
);
select tests.authenticate_as('member');
select is_empty(
  $$update public.memberships set role = 'member' where user_id = tests.get_supabase_uid('viewer') returning 1$$,
  'a member cannot change roles'
);
select tests.authenticate_as('outsider');
select is_empty(
  $$update public.memberships set role = 'viewer' where user_id = tests.get_supabase_uid('member') returning 1$$,
  'an outsider cannot change roles'
);
select tests.authenticate_as('admin');
select results_eq(
  $$update public.memberships set role = 'member' where user_id = tests.get_supabase_uid('viewer') returning role::text$$,
  $$values ('member')$$,
  'an admin can promote a viewer to member'
);
select throws_ok(
  $$update public.memberships set role = 'owner' where user_id = tests.get_supabase_uid('member')$$,
  'LY403', 'only an owner can grant or remove the owner role', 'an admin cannot grant the owner role'
);
select throws_ok(
  $$update public.memberships set role = 'owner' where user_id = tests.get_supabase_uid('admin')$$,
  'LY403', null, 'an admin cannot make themselves owner'
);
select throws_ok(
  $$update public.memberships set role = 'admin' where user_id = tests.get_supabase_uid('owner')$$,
  'LY403', null, 'an admin cannot demote an owner'
);
select throws_ok(
  $$update public.memberships set user_id = tests.get_supabase_uid('outsider') where user_id = tests.get_supabase_uid('member')$$,
  '42501', null, 'an admin cannot hand a membership to another user'
);
select tests.authenticate_as('owner');
select throws_ok(
  $$update public.memberships set role = 'admin' where user_id = tests.get_supabase_uid('owner')$$,
  'LY409', 'an organization must keep at least one owner', 'the last owner cannot demote themselves'
);
select lives_ok(
  $$update public.memberships set role = 'owner' where user_id = tests.get_supabase_uid('admin')$$,
  'an owner can grant the owner role'
);
select tests.clear_authentication();
select is(pg_temp.role_of('admin'), 'owner'::public.org_role, 'the admin is now an owner');
select tests.authenticate_as('owner');
select lives_ok(
  $$update public.memberships set role = 'admin' where user_id = tests.get_supabase_uid('owner')$$,
  'an owner with a co-owner can step down'
);
select tests.authenticate_as('admin');
select lives_ok(
  $$update public.memberships set role = 'owner' where user_id = tests.get_supabase_uid('owner')$$,
  'the new owner can make the old one owner again'
);

-- ---------------------------------------------------------------------------
-- delete: admins remove members, anyone leaves, the last owner stays
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select is_empty(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('viewer') returning 1$$,
  'a member cannot remove someone else'
);
select tests.authenticate_as('outsider');
select is_empty(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('viewer') returning 1$$,
  'an outsider cannot remove members'
);
select tests.authenticate_as('leaver');
select results_eq(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('leaver') returning role::text$$,
  $$values ('viewer')$$,
  'a viewer can leave'
);
select tests.clear_authentication();
select is(pg_temp.role_of('leaver'), null, 'the viewer is gone');

-- Back to one owner (owner) plus an admin, to test removal rules.
select tests.authenticate_as('owner');
select lives_ok(
  $$update public.memberships set role = 'admin' where user_id = tests.get_supabase_uid('admin')$$,
  'an owner can demote a co-owner'
);
select tests.authenticate_as('admin');
select throws_ok(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('owner')$$,
  'LY403', null, 'an admin cannot remove an owner'
);
select results_eq(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('viewer') returning user_id$$,
  $$select tests.get_supabase_uid('viewer')$$,
  'an admin can remove a member'
);
select tests.authenticate_as('owner');
select throws_ok(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('owner')$$,
  'LY409', null, 'the last owner cannot leave'
);
select lives_ok(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('member')$$,
  'an owner can remove a member'
);
select tests.clear_authentication();
select results_eq(
  $$select u.raw_user_meta_data ->> 'test_nickname' from public.memberships m
    join auth.users u on u.id = m.user_id join public.organizations o on o.id = m.org_id
    where o.slug = 'acme' order by 1$$,
  $$values ('admin'), ('owner')$$,
  'acme is left with its owner and admin'
);
select is(pg_temp.role_of('owner'), 'owner'::public.org_role, 'and the owner is still owner');

-- Service work (no auth.uid()) is trusted by the owner guard but not the last-owner rule.
select throws_ok(
  $$delete from public.memberships where user_id = tests.get_supabase_uid('owner')$$,
  'LY409', null, 'even service work cannot remove the last owner'
);

-- ---------------------------------------------------------------------------
-- the member directory
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select results_eq(
  $$select email, role::text from private.org_members(tests.get_org_id('acme'))$$,
  $$values ('owner@test.local', 'owner'), ('admin@test.local', 'admin')$$,
  'a member sees the directory of their organization with e-mails, strongest role first'
);
select tests.authenticate_as('outsider');
select is_empty(
  $$select * from private.org_members(tests.get_org_id('acme'))$$,
  'an outsider gets nothing from the directory of an organization they are not in'
);
select tests.clear_authentication();

select * from finish();
rollback;
