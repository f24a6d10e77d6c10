-- data_sources, source_credentials and oauth_states: members read their organization's
-- sources; admins change settings, pause/resume and disconnect; nobody but the service
-- creates a source, reads credentials or touches an OAuth state.
begin;
select plan(31);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as acme, tests.get_org_id('other') as other;
grant select on ids to authenticated, anon, service_role;

-- As the service (postgres) creates them: an active GA4 source in acme, one in other.
insert into public.data_sources (id, org_id, provider, external_id, external_name, status,
                                 next_sync_at)
select '00000000-0000-0000-0000-00000000000a'::uuid, acme, 'ga4', 'properties/1', 'Acme', 'active',
       now() + interval '6 hours' from ids
union all
select '00000000-0000-0000-0000-00000000000b', other, 'instagram', '178', 'other.shop', 'active',
       now() from ids;
insert into private.source_credentials (source_id, key_id, iv, ciphertext)
values ('00000000-0000-0000-0000-00000000000a', 'k1', '\x000102030405060708090a0b', '\xdead');
insert into private.oauth_states (state_hash, user_id, org_id, provider, key_id, iv, ciphertext)
select repeat('a', 64), tests.get_supabase_uid('admin'), acme, 'ga4', 'k1',
       '\x000102030405060708090a0b', '\xbeef' from ids;

-- ---------------------------------------------------------------------------
-- Reading
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select results_eq(
  $$ select external_name from public.data_sources $$,
  $$ values ('Acme') $$,
  'a viewer reads their organization''s sources and no other'
);
select tests.authenticate_as('outsider');
select results_eq(
  $$ select external_name from public.data_sources $$,
  $$ values ('other.shop') $$,
  'an outsider sees only their own organization''s source'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$ select * from public.data_sources $$, '42501', null, 'anon cannot read data sources'
);

-- ---------------------------------------------------------------------------
-- Creating: only the service, after the provider flow
-- ---------------------------------------------------------------------------
select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.data_sources (org_id, provider) select acme, 'ga4' from ids $$,
  '42501', null, 'not even an owner inserts a source directly'
);

-- ---------------------------------------------------------------------------
-- Changing settings
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select lives_ok(
  $$ update public.data_sources set sync_interval_minutes = 60, lookback_days = 5
     where id = '00000000-0000-0000-0000-00000000000a' $$,
  'an admin changes the interval and look-back'
);
select ok(
  (select next_sync_at <= now() + interval '60 minutes' from public.data_sources
   where id = '00000000-0000-0000-0000-00000000000a'),
  'a shorter interval brings the next run forward'
);
select throws_ok(
  $$ update public.data_sources set external_id = 'properties/2'
     where id = '00000000-0000-0000-0000-00000000000a' $$,
  '42501', null, 'an admin cannot change which account a source reads'
);
select throws_ok(
  $$ update public.data_sources set sync_interval_minutes = 5
     where id = '00000000-0000-0000-0000-00000000000a' $$,
  '23514', null, 'an interval under 15 minutes is refused'
);
select is_empty(
  $$ update public.data_sources set lookback_days = 7
     where id = '00000000-0000-0000-0000-00000000000b' returning id $$,
  'an admin of acme cannot change another organization''s source'
);

select tests.authenticate_as('member');
select is_empty(
  $$ update public.data_sources set lookback_days = 9
     where id = '00000000-0000-0000-0000-00000000000a' returning id $$,
  'a member cannot change settings'
);
select tests.authenticate_as('viewer');
select is_empty(
  $$ update public.data_sources set status = 'paused'
     where id = '00000000-0000-0000-0000-00000000000a' returning id $$,
  'a viewer cannot pause a source'
);

-- ---------------------------------------------------------------------------
-- Pause and resume
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin');
select lives_ok(
  $$ update public.data_sources set status = 'paused'
     where id = '00000000-0000-0000-0000-00000000000a' $$,
  'an admin pauses an active source'
);
select throws_ok(
  $$ update public.data_sources set status = 'needs_reauth'
     where id = '00000000-0000-0000-0000-00000000000a' $$,
  'LY409', null, 'a user cannot set any other status'
);
select lives_ok(
  $$ update public.data_sources set status = 'active'
     where id = '00000000-0000-0000-0000-00000000000a' $$,
  'an admin resumes a paused source'
);
select ok(
  (select next_sync_at <= now() and last_error is null from public.data_sources
   where id = '00000000-0000-0000-0000-00000000000a'),
  'resuming makes the source due at once'
);

select tests.clear_authentication();
insert into public.data_sources (id, org_id, provider, status)
select '00000000-0000-0000-0000-00000000000c', acme, 'ga4', 'pending' from ids;
select tests.authenticate_as('owner');
select throws_ok(
  $$ update public.data_sources set status = 'active'
     where id = '00000000-0000-0000-0000-00000000000c' $$,
  'LY409', null, 'a pending source is not activated by a user'
);
select tests.clear_authentication();
select throws_ok(
  $$ update public.data_sources set status = 'active'
     where id = '00000000-0000-0000-0000-00000000000c' $$,
  '23514', null, 'nor by the service before it knows its external account'
);

-- ---------------------------------------------------------------------------
-- Credentials and OAuth states: the service only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('owner');
select throws_ok(
  $$ select * from private.source_credentials $$, '42501', null,
  'an owner cannot read credentials'
);
select throws_ok(
  $$ insert into private.source_credentials (source_id, key_id, iv, ciphertext)
     values ('00000000-0000-0000-0000-00000000000c', 'k1', '\x000102030405060708090a0b', '\x01') $$,
  '42501', null, 'nor write them'
);
select throws_ok(
  $$ select * from private.oauth_states $$, '42501', null, 'an owner cannot read OAuth states'
);
select throws_ok(
  $$ select * from private.consume_oauth_state(repeat('a', 64)) $$, '42501', null,
  'nor consume one'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$ select * from private.source_credentials $$, '42501', null, 'anon cannot read credentials'
);

set local role service_role;
select is(
  (select count(*)::int from private.source_credentials), 1, 'the service reads credentials'
);
select results_eq(
  $$ select provider, user_is_admin from private.consume_oauth_state(repeat('a', 64)) $$,
  $$ values ('ga4', true) $$,
  'the service consumes a state once, learning its user is still an admin'
);
select is_empty(
  $$ select * from private.consume_oauth_state(repeat('a', 64)) $$,
  'a consumed state is not returned again'
);
reset role;

insert into private.oauth_states (state_hash, user_id, org_id, provider, key_id, iv, ciphertext,
                                  expires_at)
select repeat('b', 64), tests.get_supabase_uid('member'), acme, 'ga4', 'k1',
       '\x000102030405060708090a0b'::bytea, '\xbeef'::bytea, now() - interval '1 second' from ids
union all
select repeat('c', 64), tests.get_supabase_uid('member'), acme, 'instagram', 'k1',
       '\x000102030405060708090a0b', '\xbeef', now() + interval '10 minutes' from ids;
set local role service_role;
select is_empty(
  $$ select * from private.consume_oauth_state(repeat('b', 64)) $$,
  'an expired state is refused'
);
select results_eq(
  $$ select user_is_admin from private.consume_oauth_state(repeat('c', 64)) $$,
  $$ values (false) $$,
  'a state whose user is no admin says so'
);
reset role;

-- ---------------------------------------------------------------------------
-- Disconnecting
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select is_empty(
  $$ delete from public.data_sources where id = '00000000-0000-0000-0000-00000000000a'
     returning id $$,
  'a member cannot disconnect a source'
);
select tests.authenticate_as('outsider');
select is_empty(
  $$ delete from public.data_sources where id = '00000000-0000-0000-0000-00000000000a'
     returning id $$,
  'an outsider cannot disconnect it'
);
select tests.authenticate_as('admin');
select isnt_empty(
  $$ delete from public.data_sources where id = '00000000-0000-0000-0000-00000000000a'
     returning id $$,
  'an admin disconnects a source'
);
select tests.clear_authentication();
select is(
  (select count(*)::int from private.source_credentials
   where source_id = '00000000-0000-0000-0000-00000000000a'),
  0,
  'its credentials go with it'
);

select * from finish();
rollback;
