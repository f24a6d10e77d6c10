-- event_counts is striped by writing connection: each connection adds to its own stripe
-- of a bucket, readers sum the stripes, and a pg_cron job folds the stripes of settled
-- buckets into stripe 0 without changing any bucket's sum. Only the trigger and the fold
-- write counts; nobody outside the organization reads them.
begin;
select plan(10);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('outsider');
select tests.create_org('owner', 'stripes');
select tests.create_org('outsider', 'elsewhere');

select is(
  (select (pg_backend_pid() % 16)::smallint),
  (select (pg_backend_pid() % 16)::smallint),
  'sanity: a connection''s stripe is fixed');

insert into public.events (org_id, id, occurred_at, name)
select tests.get_org_id('stripes'), 'e' || i, '2026-03-01 10:05:00+00', 'signup'
from generate_series(1, 3) as i;

select results_eq(
  $$ select shard::int, events from public.event_counts
     where org_id = tests.get_org_id('stripes') $$,
  $$ values (pg_backend_pid() % 16, 3::bigint) $$,
  'a batch adds to the stripe of the connection that sent it');

-- Other connections' stripes of the same bucket, as concurrent senders leave them, and a
-- recent bucket that is not settled yet.
insert into public.event_counts (org_id, name, bucket, shard, events)
select tests.get_org_id('stripes'), 'signup', '2026-03-01 10:00:00+00', s, 10
from generate_series(0, 15) as s
where s <> pg_backend_pid() % 16;
insert into public.event_counts (org_id, name, bucket, shard, events)
values (tests.get_org_id('stripes'), 'signup', date_bin('15 minutes', now(), '2000-01-01'), 7, 2),
       (tests.get_org_id('elsewhere'), 'signup', '2026-03-01 10:00:00+00', 5, 4);

select is(
  (select sum(events)::int from public.event_counts
   where org_id = tests.get_org_id('stripes') and bucket = '2026-03-01 10:00:00+00'),
  153, 'sanity: the bucket''s stripes sum to 3 + 15 x 10');

-- (The seeded demo organization has striped counts too; they fold alike.)
create temp table settled_stripes as
select count(*)::int as n from public.event_counts
where shard <> 0 and bucket < now() - interval '1 hour';
select is(private.fold_event_count_shards(), (select n from settled_stripes),
  'the fold removes every stripe of settled buckets');

select results_eq(
  $$ select org_id, shard::int, events from public.event_counts
     where bucket = '2026-03-01 10:00:00+00' order by events $$,
  $$ values (tests.get_org_id('elsewhere'), 0, 4::bigint),
            (tests.get_org_id('stripes'), 0, 153::bigint) $$,
  'each organization''s settled bucket is one row in stripe 0, with the same sum');

select is(
  (select shard::int from public.event_counts
   where org_id = tests.get_org_id('stripes') and bucket > now() - interval '1 hour'),
  7, 'a bucket of the last hour keeps its stripes');

select is(private.fold_event_count_shards(), 0, 'folding again changes nothing');

select isnt_empty(
  $$ select 1 from cron.job where jobname = 'lytics-event-count-fold'
       and command like '%fold_event_count_shards%' $$,
  'pg_cron folds the stripes every few minutes');

select tests.authenticate_as('owner');
select throws_ok(
  $$ select private.fold_event_count_shards() $$,
  '42501', null,
  'users cannot run the fold');
select tests.authenticate_as('outsider');
select is(
  (select count(*)::int from public.event_counts where org_id = tests.get_org_id('stripes')),
  0, 'another organization''s members see none of the counts');

select * from finish();
rollback;
