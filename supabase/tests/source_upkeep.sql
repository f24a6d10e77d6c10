-- private.clean_up_sources (hourly, pg_cron): consent flows expired for a day and GA4
-- sources left pending for a day go, with their credentials; nothing else is touched, and
-- no API role may call it.
begin;
select plan(6);

select tests.create_acme_and_other();
create temp table ids as select tests.get_org_id('acme') as acme;

insert into public.data_sources (id, org_id, provider, status, created_at)
select '00000000-0000-0000-0000-0000000000c1'::uuid, acme, 'ga4', 'pending',
       now() - interval '2 days' from ids
union all
select '00000000-0000-0000-0000-0000000000c2', acme, 'ga4', 'pending', now() - interval '1 hour'
from ids;
insert into public.data_sources (id, org_id, provider, external_id, status, created_at)
select '00000000-0000-0000-0000-0000000000c3'::uuid, acme, 'ga4', 'properties/7', 'active',
       now() - interval '30 days' from ids;
insert into private.source_credentials (source_id, key_id, iv, ciphertext)
values ('00000000-0000-0000-0000-0000000000c1', 'k1', '\x000102030405060708090a0b', '\xdead');
insert into private.oauth_states (state_hash, user_id, org_id, provider, key_id, iv, ciphertext,
                                  expires_at)
select repeat('c', 64), tests.get_supabase_uid('admin'), acme, 'ga4', 'k1',
       '\x000102030405060708090a0b'::bytea, '\xbeef'::bytea, now() - interval '2 days' from ids
union all
select repeat('d', 64), tests.get_supabase_uid('admin'), acme, 'ga4', 'k1',
       '\x000102030405060708090a0b'::bytea, '\xbeef'::bytea, now() + interval '5 minutes' from ids;

select is(private.clean_up_sources(), 2, 'one stale state and one stale pending source go');
select results_eq(
  $$ select id::text from public.data_sources where org_id = (select acme from ids) order by id $$,
  $$ values ('00000000-0000-0000-0000-0000000000c2'), ('00000000-0000-0000-0000-0000000000c3') $$,
  'a fresh pending source and an active one stay'
);
select is_empty(
  $$ select 1 from private.source_credentials
     where source_id = '00000000-0000-0000-0000-0000000000c1' $$,
  'the stale source''s credentials go with it'
);
select results_eq(
  $$ select state_hash from private.oauth_states where org_id = (select acme from ids) $$,
  $$ values (repeat('d', 64)) $$,
  'a consent flow still in progress stays'
);
select isnt_empty(
  $$ select 1 from cron.job where jobname = 'lytics-source-upkeep' and schedule = '23 * * * *' $$,
  'pg_cron runs it every hour'
);

select tests.authenticate_as('admin');
select throws_ok('select private.clean_up_sources()', '42501', null,
  'an API role cannot call it');

select * from finish();
rollback;
