-- events is partitioned by month: partitions exist around now, live out of the API's
-- reach with RLS on, are created idempotently by a daily pg_cron job, and rows outside
-- every month land in the default partition instead of failing.
begin;
select plan(11);

select tests.create_supabase_user('owner');
select tests.create_org('owner', 'parts');

select is(
  (select count(*)::int from pg_inherits i join pg_class c on c.oid = i.inhrelid
   join pg_namespace n on n.oid = c.relnamespace
   where i.inhparent = 'public.events'::regclass and n.nspname <> 'private'),
  0, 'every partition of events lives in the private schema');

select ok(
  (select bool_and(c.relrowsecurity) from pg_inherits i join pg_class c on c.oid = i.inhrelid
   where i.inhparent = 'public.events'::regclass),
  'every partition has row level security enabled');

select ok(to_regclass('private.events_' || to_char(now() at time zone 'UTC', 'YYYY_MM')) is not null,
  'this month has a partition');
select ok(
  to_regclass('private.events_' ||
    to_char(now() at time zone 'UTC' + interval '2 months', 'YYYY_MM')) is not null,
  'the month after next has a partition');

select is(private.ensure_event_partitions(), 0, 'a second run creates nothing');

select isnt_empty(
  $$ select 1 from cron.job where jobname = 'lytics-event-partitions'
       and command like '%ensure_event_partitions%' $$,
  'pg_cron keeps the partitions ahead daily');

-- Fifteen months back is older than every partition: its row goes to the default
-- partition, and creating that month afterwards leaves it there instead of failing.
create temp table old_month as
select date_trunc('month', now() at time zone 'UTC' - interval '15 months') as month;
insert into public.events (org_id, id, occurred_at, name)
select tests.get_org_id('parts'), 'ancient', (month + interval '1 day') at time zone 'UTC', 'old'
from old_month;
select is(
  (select count(*)::int from private.events_default where id = 'ancient'), 1,
  'an event older than every partition is kept in the default partition');
select is(private.ensure_event_partitions(months_back => 15, months_ahead => 0), 0,
  'creating that month is skipped while the default partition holds rows for it');
select ok(
  to_regclass('private.events_' || (select to_char(month, 'YYYY_MM') from old_month)) is null,
  'that month stays in the default partition');

-- The same id at another instant is another event; the same id and instant is a retry.
insert into public.events (org_id, id, occurred_at, name)
values (tests.get_org_id('parts'), 'e1', now() - interval '1 hour', 'a'),
       (tests.get_org_id('parts'), 'e1', now() - interval '2 hours', 'a')
on conflict (org_id, id, occurred_at) do nothing;
select is((select count(*)::int from public.events where id = 'e1'), 2,
  'one id at two instants is two events');

select tests.authenticate_as('owner');
select throws_ok($$ select private.ensure_event_partitions() $$, '42501', null,
  'users cannot create partitions');

select * from finish();
rollback;
