-- Organizations under RLS: every role of a member, an outsider with an organization of
-- their own, and anon; the creator-becomes-owner trigger; per-column update grants.
begin;
select plan(39);

select tests.create_acme_and_other();
select tests.create_supabase_user('coowner');

-- ---------------------------------------------------------------------------
-- Structure and grants
-- ---------------------------------------------------------------------------
select is(
  (select array_agg(c.relname::text order by c.relname) from pg_class c
   join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity),
  null,
  'every table in public has row level security enabled'
);
select ok(
  (select relrowsecurity from pg_class where oid = 'public.organizations'::regclass),
  'organizations has RLS enabled'
);
select table_privs_are('public', 'organizations', 'anon', array[]::text[],
  'anon has no privileges on organizations');
select table_privs_are('public', 'organizations', 'authenticated',
  array['SELECT', 'INSERT', 'DELETE'],
  'authenticated may select, insert and delete organizations (updates are per column)');
select ok(
  has_column_privilege('authenticated', 'public.organizations', 'name', 'UPDATE')
  and has_column_privilege('authenticated', 'public.organizations', 'slug', 'UPDATE')
  and has_column_privilege('authenticated', 'public.organizations', 'timezone', 'UPDATE'),
  'authenticated may update name, slug and timezone'
);
select ok(
  not has_column_privilege('authenticated', 'public.organizations', 'created_by', 'UPDATE')
  and not has_column_privilege('authenticated', 'public.organizations', 'id', 'UPDATE'),
  'authenticated may not update id or created_by'
);

-- ---------------------------------------------------------------------------
-- anon
-- ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok('select * from public.organizations', '42501', null, 'anon cannot read organizations');
select throws_ok(
  $$insert into public.organizations (name, slug) values ('Anon', 'anon-org')$$,
  '42501', null, 'anon cannot create organizations'
);
select tests.clear_authentication();

-- ---------------------------------------------------------------------------
-- select: members of every role see their organization, and only it
-- ---------------------------------------------------------------------------
select tests.authenticate_as('owner');
select results_eq('select slug from public.organizations', $$values ('acme')$$, 'owner sees acme only');
select tests.authenticate_as('admin');
select results_eq('select slug from public.organizations', $$values ('acme')$$, 'admin sees acme only');
select tests.authenticate_as('member');
select results_eq('select slug from public.organizations', $$values ('acme')$$, 'member sees acme only');
select tests.authenticate_as('viewer');
select results_eq('select slug from public.organizations', $$values ('acme')$$, 'viewer sees acme only');
select tests.authenticate_as('outsider');
select results_eq('select slug from public.organizations', $$values ('other')$$,
  'an outsider sees only their own organization');

-- ---------------------------------------------------------------------------
-- insert: anyone signed in creates organizations they own
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select lives_ok(
  $$insert into public.organizations (id, name, slug, created_by)
    values ('00000000-0000-4000-8000-00000000a001', 'Side Project', 'side-project',
            tests.get_supabase_uid('member'))$$,
  'a user can create an organization they own'
);
select is(private.org_role('00000000-0000-4000-8000-00000000a001'), 'owner'::public.org_role,
  'the creator becomes its owner');
select results_eq(
  $$select slug from public.organizations order by slug$$,
  $$values ('acme'), ('side-project')$$,
  'the creator sees the new organization at once'
);
select throws_ok(
  $$insert into public.organizations (name, slug, created_by)
    values ('Forged', 'forged', tests.get_supabase_uid('owner'))$$,
  '42501', null, 'nobody can create an organization in the name of someone else'
);
select throws_ok(
  $$insert into public.organizations (name, slug, created_by)
    values ('Returning', 'returning-org', tests.get_supabase_uid('member')) returning id$$,
  '42501', null,
  'INSERT ... RETURNING is refused: the select policy runs before the owner trigger (the API inserts without it)'
);
select throws_ok(
  $$insert into public.organizations (name, slug, timezone, created_by)
    values ('Nowhere', 'nowhere', 'Mars/Olympus', tests.get_supabase_uid('member'))$$,
  '23514', null, 'an unknown time zone is refused'
);
select throws_ok(
  $$insert into public.organizations (name, slug, created_by)
    values ('Taken', 'acme', tests.get_supabase_uid('member'))$$,
  '23505', null, 'a taken slug is refused, even one the caller cannot see'
);
select throws_ok(
  $$insert into public.organizations (name, slug, created_by)
    values ('Bad', 'Bad Slug', tests.get_supabase_uid('member'))$$,
  '23514', null, 'a slug outside [a-z0-9-] is refused'
);

-- ---------------------------------------------------------------------------
-- update: admins and owners only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select is_empty($$update public.organizations set name = 'By viewer' where slug = 'acme' returning id$$,
  'a viewer cannot rename the organization');
select tests.authenticate_as('member');
select is_empty($$update public.organizations set name = 'By member' where slug = 'acme' returning id$$,
  'a member cannot rename the organization');
select tests.authenticate_as('outsider');
select is_empty($$update public.organizations set name = 'By outsider' where slug = 'acme' returning id$$,
  'an outsider cannot rename the organization');
select tests.authenticate_as('admin');
select results_eq(
  $$update public.organizations set name = 'Acme by admin', timezone = 'Europe/Paris'
    where slug = 'acme' returning name, timezone$$,
  $$values ('Acme by admin', 'Europe/Paris')$$,
  'an admin can rename the organization and change its time zone'
);
select throws_ok(
  $$update public.organizations set created_by = tests.get_supabase_uid('admin') where slug = 'acme'$$,
  '42501', null, 'an admin cannot rewrite created_by'
);
select tests.authenticate_as('owner');
select results_eq(
  $$update public.organizations set slug = 'acme-inc' where slug = 'acme' returning slug$$,
  $$values ('acme-inc')$$,
  'an owner can change the slug'
);
select tests.authenticate_as('admin');
select is_empty(
  $$update public.organizations set name = 'Hijack' where slug = 'other' returning id$$,
  'an admin of one organization cannot rename another'
);

-- ---------------------------------------------------------------------------
-- delete: owners only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select is_empty($$delete from public.organizations where slug = 'acme-inc' returning id$$,
  'an admin cannot delete the organization');
select tests.authenticate_as('member');
select is_empty($$delete from public.organizations where slug = 'acme-inc' returning id$$,
  'a member cannot delete the organization');
select tests.authenticate_as('viewer');
select is_empty($$delete from public.organizations where slug = 'acme-inc' returning id$$,
  'a viewer cannot delete the organization');
select tests.authenticate_as('outsider');
select is_empty($$delete from public.organizations where slug = 'acme-inc' returning id$$,
  'an outsider cannot delete the organization');
select tests.clear_authentication();
select is((select count(*)::int from public.organizations where slug = 'acme-inc'), 1,
  'the organization survived every refused delete');

-- An organization with two owners: deleting it cascades past the owner guard.
select tests.add_member(tests.get_org_id('acme-inc'), 'coowner', 'owner');
select tests.authenticate_as('owner');
select lives_ok($$delete from public.organizations where slug = 'acme-inc'$$,
  'an owner can delete an organization that has other owners');
select tests.clear_authentication();
select is((select count(*)::int from public.organizations where slug = 'acme-inc'), 0,
  'the organization is gone');
select is((select count(*)::int from public.memberships m
           where not exists (select 1 from public.organizations o where o.id = m.org_id)), 0,
  'its memberships went with it');
select is(
  (select default_organization_id from public.profiles where id = tests.get_supabase_uid('owner')),
  null, 'a default organization that is deleted is cleared'
);
select is((select count(*)::int from public.organizations where slug = 'other'), 1,
  'the other organization is untouched');

-- Anon can never reach the authorization helpers.
select tests.authenticate_as_anon();
select throws_ok($$select private.my_org_ids()$$, '42501', null,
  'anon cannot call the private helpers');
select tests.clear_authentication();

select * from finish();
rollback;
