-- A soft delete (GoTrue sets auth.users.deleted_at and keeps the row) forgets the user as a
-- hard delete does: organizations are handed over by the same rule, memberships, profile and
-- conversations go, and what they created stays with its author cleared. Updates run as
-- supabase_auth_admin, the role GoTrue soft-deletes users as.
begin;
select plan(16);

select tests.create_acme_and_other();
select tests.create_supabase_user('solo');
select tests.create_org('solo', 'solo-org');

insert into public.api_keys (org_id, name, prefix, key_hash, created_by)
values (tests.get_org_id('acme'), 'ci', 'lyt_abcd1234', repeat('a', 64),
        tests.get_supabase_uid('owner'));
insert into public.conversations (org_id, user_id, title)
values (tests.get_org_id('acme'), tests.get_supabase_uid('owner'), 'revenue'),
       (tests.get_org_id('acme'), tests.get_supabase_uid('member'), 'signups');

create function pg_temp.soft_delete(nickname text) returns void
language plpgsql as $$
declare
  uid uuid := tests.get_supabase_uid(nickname);
begin
  set local role supabase_auth_admin;
  update auth.users set deleted_at = now(), email = null where id = uid;
  reset role;
end
$$;

-- ---------------------------------------------------------------------------
-- Other updates of a user change nothing
-- ---------------------------------------------------------------------------
do $$
declare
  uid uuid := tests.get_supabase_uid('owner');
begin
  set local role supabase_auth_admin;
  update auth.users set raw_user_meta_data = raw_user_meta_data || '{"plan": "pro"}'
  where id = uid;
  reset role;
end
$$;
select is(tests.role_in('acme', 'owner'), 'owner', 'a user who is updated stays a member');

-- ---------------------------------------------------------------------------
-- The only owner, with others in the organization
-- ---------------------------------------------------------------------------
select lives_ok($$select pg_temp.soft_delete('owner')$$, 'acme''s only owner can be soft-deleted');
select is((select count(*)::int from auth.users where id = tests.get_supabase_uid('owner')), 1,
  'their auth row stays, as GoTrue keeps it');
select is(tests.role_in('acme', 'admin'), 'owner', 'the admin becomes owner');
select is(tests.role_in('acme', 'member'), 'member', 'the member stays member');
select is((select count(*)::int from public.memberships where user_id = tests.get_supabase_uid('owner')),
  0, 'the soft-deleted user is a member of nothing');
select is((select count(*)::int from public.profiles where id = tests.get_supabase_uid('owner')), 0,
  'their profile is gone');
select is((select array_agg(title) from public.conversations), array['signups'],
  'their conversations are gone, others'' stay');
select is((select created_by from public.api_keys where name = 'ci'), null,
  'a key they created stays, its author cleared');
select is((select created_by from public.organizations where slug = 'acme'), null,
  'so does the organization they created');

-- A token issued before the delete now reads nothing; the new owner reads everything.
select tests.authenticate_as('owner');
select is((select count(*)::int from public.organizations), 0,
  'an old token of the soft-deleted user sees no organization');
select is((select count(*)::int from public.api_keys), 0, 'and no key');
select tests.authenticate_as('admin');
select is((select array_agg(slug) from public.organizations), array['acme'],
  'the new owner still sees the organization');
select is((select count(*)::int from public.api_keys), 1, 'and its key');
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- Alone in an organization
-- ---------------------------------------------------------------------------
select lives_ok($$select pg_temp.soft_delete('solo')$$, 'the only member of an organization can be soft-deleted');
select is(tests.get_org_id('solo-org'), null, 'their organization goes with them');

select * from finish();
rollback;
