-- api_keys: admins and owners create, list and revoke their organization's keys; members,
-- viewers, other organizations and anon cannot; only the service resolves a presented key.
begin;
select plan(24);

-- acme (org_a): owner, admin, member and viewer; other (org_b): outsider, alone.
select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon, service_role;

-- A key of organization B, to be invisible to A.
insert into public.api_keys (org_id, name, prefix, key_hash)
select org_b, 'B key', 'lyt_BBBBBBBB', repeat('b', 64) from ids;

-- ---------------------------------------------------------------------------
-- Creating
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select lives_ok(
  $$ insert into public.api_keys (org_id, name, prefix, key_hash, created_by)
     select org_a, 'Admin key', 'lyt_AAAAAAAA', repeat('a', 64), tests.get_supabase_uid('admin')
     from ids $$,
  'an admin can create an API key'
);
select throws_ok(
  $$ insert into public.api_keys (org_id, name, prefix, key_hash, created_by)
     select org_a, 'Forged', 'lyt_FFFFFFFF', repeat('f', 64), tests.get_supabase_uid('owner')
     from ids $$,
  '42501', null,
  'an admin cannot create a key in someone else''s name'
);

select tests.authenticate_as('owner');
select lives_ok(
  $$ insert into public.api_keys (org_id, name, prefix, key_hash, scopes, created_by)
     select org_a, 'Read key', 'lyt_RRRRRRRR', repeat('c', 64), '{read}',
            tests.get_supabase_uid('owner')
     from ids $$,
  'an owner can create a key, and the read scope can be stored'
);

select tests.authenticate_as('member');
select throws_ok(
  $$ insert into public.api_keys (org_id, name, prefix, key_hash, created_by)
     select org_a, 'Member key', 'lyt_MMMMMMMM', repeat('d', 64), tests.get_supabase_uid('member')
     from ids $$,
  '42501', null,
  'a member cannot create a key'
);

select tests.authenticate_as('viewer');
select throws_ok(
  $$ insert into public.api_keys (org_id, name, prefix, key_hash, created_by)
     select org_a, 'Viewer key', 'lyt_VVVVVVVV', repeat('e', 64), tests.get_supabase_uid('viewer')
     from ids $$,
  '42501', null,
  'a viewer cannot create a key'
);

select tests.authenticate_as('outsider');
select throws_ok(
  $$ insert into public.api_keys (org_id, name, prefix, key_hash, created_by)
     select org_a, 'Outsider key', 'lyt_OOOOOOOO', repeat('0', 64), tests.get_supabase_uid('outsider')
     from ids $$,
  '42501', null,
  'a user of another organization cannot create a key in it'
);

select tests.clear_authentication();
select throws_ok(
  $$ insert into public.api_keys (org_id, name, prefix, key_hash, scopes)
     select org_a, 'Bad scope', 'lyt_SSSSSSSS', repeat('1', 64), '{write}' from ids $$,
  '23514', null,
  'only the ingest and read scopes exist'
);

-- ---------------------------------------------------------------------------
-- Listing
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select is((select count(*)::int from public.api_keys), 2, 'an admin lists their organization''s keys only');
select tests.authenticate_as('owner');
select is((select count(*)::int from public.api_keys), 2, 'so does an owner');
select tests.authenticate_as('member');
select is((select count(*)::int from public.api_keys), 0, 'a member sees no keys');
select tests.authenticate_as('viewer');
select is((select count(*)::int from public.api_keys), 0, 'a viewer sees no keys');
select tests.authenticate_as('outsider');
select is(
  (select count(*)::int from public.api_keys where org_id = (select org_a from ids)), 0,
  'a user of another organization sees none of its keys'
);
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.api_keys $$, '42501', null, 'anon cannot list keys');

-- ---------------------------------------------------------------------------
-- Revoking
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
update public.api_keys set revoked_at = now();
select tests.authenticate_as('outsider');
update public.api_keys set revoked_at = now() where org_id = (select org_a from ids);
select tests.clear_authentication();
select is(
  (select count(*)::int from public.api_keys where org_id = (select org_a from ids) and revoked_at is not null),
  0,
  'neither a member nor another organization can revoke a key'
);

select tests.authenticate_as('admin');
select throws_ok(
  $$ update public.api_keys set key_hash = repeat('9', 64) where prefix = 'lyt_AAAAAAAA' $$,
  '42501', null,
  'a key''s hash cannot be changed'
);
update public.api_keys set revoked_at = now() where prefix = 'lyt_AAAAAAAA';
select isnt(
  (select revoked_at from public.api_keys where prefix = 'lyt_AAAAAAAA'), null,
  'an admin can revoke a key'
);
select throws_ok(
  $$ update public.api_keys set revoked_at = null where prefix = 'lyt_AAAAAAAA' $$,
  'LY409', null,
  'a revoked key stays revoked'
);

-- ---------------------------------------------------------------------------
-- Resolving a presented key
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select throws_ok(
  $$ select * from private.use_api_key(repeat('c', 64)) $$,
  '42501', null,
  'a signed-in user cannot resolve keys'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$ select * from private.use_api_key(repeat('c', 64)) $$,
  '42501', null,
  'anon cannot resolve keys'
);

select tests.clear_authentication();
set local role service_role;
select results_eq(
  $$ select org_id, scopes from private.use_api_key(repeat('c', 64)) $$,
  $$ select org_a, '{read}'::text[] from ids $$,
  'the service resolves an active key to its organization and scopes'
);
select is(
  (select count(*)::int from private.use_api_key(repeat('a', 64))), 0,
  'a revoked key resolves to nothing'
);
select is(
  (select count(*)::int from private.use_api_key(repeat('7', 64))), 0,
  'an unknown key resolves to nothing'
);
reset role;
select isnt(
  (select last_used_at from public.api_keys where prefix = 'lyt_RRRRRRRR'), null,
  'using a key records when'
);
select is(
  (select count(*)::int from public.api_keys where prefix = 'lyt_RRRRRRRR' and scopes = '{read}'),
  1,
  'the read scope is stored as given'
);

select * from finish();
rollback;
