-- Profiles under RLS: made by the sign-up trigger, read by their user and co-members,
-- updated only by their user, whose default organization must be one of theirs.
begin;
select plan(27);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('viewer');
select tests.create_supabase_user('outsider');
select tests.create_supabase_user('loner');
select tests.create_org('owner', 'acme');
select tests.create_org('outsider', 'other');
select tests.add_member(tests.get_org_id('acme'), 'viewer', 'viewer');

-- ---------------------------------------------------------------------------
-- Structure and grants
-- ---------------------------------------------------------------------------
select ok((select relrowsecurity from pg_class where oid = 'public.profiles'::regclass),
  'profiles has RLS enabled');
select table_privs_are('public', 'profiles', 'anon', array[]::text[],
  'anon has no privileges on profiles');
select table_privs_are('public', 'profiles', 'authenticated', array['SELECT'],
  'authenticated may only select profiles at table level (no insert or delete)');
select ok(
  has_column_privilege('authenticated', 'public.profiles', 'display_name', 'UPDATE')
  and has_column_privilege('authenticated', 'public.profiles', 'avatar_url', 'UPDATE')
  and has_column_privilege('authenticated', 'public.profiles', 'default_organization_id', 'UPDATE'),
  'authenticated may update the display name, avatar and default organization'
);
select ok(
  not has_column_privilege('authenticated', 'public.profiles', 'id', 'UPDATE')
  and not has_column_privilege('authenticated', 'public.profiles', 'created_at', 'UPDATE'),
  'authenticated may not update the id or timestamps'
);

-- ---------------------------------------------------------------------------
-- The sign-up trigger
-- ---------------------------------------------------------------------------
insert into auth.users (id, email, raw_user_meta_data, aud, role)
values ('00000000-0000-4000-8000-0000000000b1', 'named@test.local',
        '{"display_name": "Ada Lovelace"}', 'authenticated', 'authenticated');
select is(
  (select display_name from public.profiles where id = '00000000-0000-4000-8000-0000000000b1'),
  'Ada Lovelace', 'sign-up creates the profile with the display name given at sign-up'
);
select is(
  (select display_name from public.profiles where id = tests.get_supabase_uid('loner')),
  null, 'a user who gave no name gets a profile without one'
);
select is(
  (select default_organization_id from public.profiles where id = tests.get_supabase_uid('owner')),
  tests.get_org_id('acme'), 'the first organization someone creates becomes their default'
);

-- ---------------------------------------------------------------------------
-- anon
-- ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok('select * from public.profiles', '42501', null, 'anon cannot read profiles');
select throws_ok($$update public.profiles set display_name = 'anon'$$, '42501', null,
  'anon cannot update profiles');

-- ---------------------------------------------------------------------------
-- select
-- ---------------------------------------------------------------------------
select tests.authenticate_as('loner');
select results_eq('select id from public.profiles', $$select tests.get_supabase_uid('loner')$$,
  'a user in no organization sees only their own profile');
select tests.authenticate_as('viewer');
select results_eq('select id from public.profiles order by id',
  $$select unnest(array[tests.get_supabase_uid('owner'), tests.get_supabase_uid('viewer')]) as id order by id$$,
  'a member sees their own profile and their co-members''');
select tests.authenticate_as('outsider');
select results_eq('select id from public.profiles', $$select tests.get_supabase_uid('outsider')$$,
  'an outsider does not see the profiles of another organization');

-- ---------------------------------------------------------------------------
-- insert and delete: only the trigger and cascades
-- ---------------------------------------------------------------------------
select tests.authenticate_as('loner');
select throws_ok(
  $$insert into public.profiles (id) values ('00000000-0000-4000-8000-0000000000b2')$$,
  '42501', null, 'nobody inserts profiles directly'
);
select throws_ok($$delete from public.profiles$$, '42501', null, 'nobody deletes profiles directly');

-- ---------------------------------------------------------------------------
-- update
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select results_eq(
  $$update public.profiles set display_name = 'Vera', avatar_url = 'https://example.com/v.png'
    where id = tests.get_supabase_uid('viewer') returning display_name, avatar_url$$,
  $$values ('Vera', 'https://example.com/v.png')$$,
  'a user can update their own profile'
);
select is_empty(
  $$update public.profiles set display_name = 'Hacked' where id = tests.get_supabase_uid('owner') returning id$$,
  'a user cannot update a co-member''s profile'
);
select tests.authenticate_as('outsider');
select is_empty(
  $$update public.profiles set display_name = 'Hacked' where id = tests.get_supabase_uid('viewer') returning id$$,
  'an outsider cannot update someone else''s profile'
);
select tests.authenticate_as('viewer');
select throws_ok(
  $$update public.profiles set avatar_url = 'javascript:alert(1)' where id = tests.get_supabase_uid('viewer')$$,
  '23514', null, 'an avatar must be an http(s) URL'
);
select throws_ok(
  $$update public.profiles set display_name = repeat('x', 101) where id = tests.get_supabase_uid('viewer')$$,
  '23514', null, 'a display name has at most 100 characters'
);
select throws_ok(
  $$update public.profiles set created_at = now() - interval '1 year' where id = tests.get_supabase_uid('viewer')$$,
  '42501', null, 'timestamps are not writable'
);

-- default organization: only one the user belongs to
select results_eq(
  $$update public.profiles set default_organization_id = tests.get_org_id('acme')
    where id = tests.get_supabase_uid('viewer') returning default_organization_id$$,
  $$select tests.get_org_id('acme')$$,
  'a viewer can make their organization the default'
);
select throws_ok(
  $$update public.profiles set default_organization_id = tests.get_org_id('other')
    where id = tests.get_supabase_uid('viewer')$$,
  '42501', null, 'nobody can default to an organization they are not in'
);
select throws_ok(
  $$update public.profiles set default_organization_id = '00000000-0000-4000-8000-00000000dead'
    where id = tests.get_supabase_uid('viewer')$$,
  '42501', null, 'nor to one that does not exist (refused the same way)'
);
select lives_ok(
  $$update public.profiles set default_organization_id = null where id = tests.get_supabase_uid('viewer')$$,
  'the default can be cleared'
);
select tests.authenticate_as('outsider');
select is(private.active_org_id(), tests.get_org_id('other'),
  'the active organization is the caller''s default');
select tests.authenticate_as('viewer');
select is(private.active_org_id(), tests.get_org_id('acme'),
  'without a default, the active organization is the oldest membership');

select * from finish();
rollback;
