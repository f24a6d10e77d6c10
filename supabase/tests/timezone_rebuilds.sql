-- Changing an organization's timezone queues its actor rollups, and the queued rebuild puts
-- every actor day and first-seen day in the new zone. Nobody but the database runs it.
begin;
select plan(11);

select tests.create_supabase_user('owner');
select tests.create_supabase_user('outsider');
select tests.create_org('owner', 'zones');

-- 03:00 UTC on the 10th is the evening of the 9th in New York; 23:30 UTC stays the 10th.
insert into public.events (org_id, id, occurred_at, name, actor_id)
values (tests.get_org_id('zones'), 'a1', '2026-01-10 03:00:00+00', 'login', 'ann'),
       (tests.get_org_id('zones'), 'b1', '2026-01-10 23:30:00+00', 'login', 'bob'),
       (tests.get_org_id('zones'), 'b2', '2026-01-11 01:00:00+00', 'login', 'bob');

select results_eq(
  $$ select actor_id collate "default", day from public.event_actor_days
     where org_id = tests.get_org_id('zones') order by 1, 2 $$,
  $$ values ('ann', '2026-01-10'::date), ('bob', '2026-01-10'::date), ('bob', '2026-01-11'::date) $$,
  'sanity: the days are UTC days at first');

select tests.authenticate_as('owner');
update public.organizations set name = 'Zones Inc.' where slug = 'zones';
select tests.clear_authentication();
select is_empty(
  $$ select 1 from private.actor_day_rebuilds where org_id = tests.get_org_id('zones') $$,
  'a change of name queues nothing');

select tests.authenticate_as('owner');
update public.organizations set timezone = 'America/New_York' where slug = 'zones';
select tests.clear_authentication();
select isnt_empty(
  $$ select 1 from private.actor_day_rebuilds where org_id = tests.get_org_id('zones') $$,
  'a change of timezone, made by the owner, queues a rebuild');

select tests.authenticate_as('owner');
select throws_ok(
  $$ select private.rebuild_queued_actor_days() $$,
  '42501', null,
  'users cannot run the rebuild');
select throws_ok(
  $$ select * from private.actor_day_rebuilds $$,
  '42501', null,
  'nor read the queue');
select tests.clear_authentication();

select cmp_ok(private.rebuild_queued_actor_days(), '>=', 1, 'the queued rebuild runs');

select results_eq(
  $$ select actor_id collate "default", day from public.event_actor_days
     where org_id = tests.get_org_id('zones') order by 1, 2 $$,
  $$ values ('ann', '2026-01-09'::date), ('bob', '2026-01-10'::date) $$,
  'every actor day is now a New York day');
select results_eq(
  $$ select actor_id collate "default", first_seen_day from public.event_actors
     where org_id = tests.get_org_id('zones') order by 1 $$,
  $$ values ('ann', '2026-01-09'::date), ('bob', '2026-01-10'::date) $$,
  'and so is every first-seen day');
select is_empty(
  $$ select 1 from private.actor_day_rebuilds where org_id = tests.get_org_id('zones') $$,
  'the queue is empty afterwards');

insert into public.events (org_id, id, occurred_at, name, actor_id)
values (tests.get_org_id('zones'), 'c1', '2026-01-12 02:00:00+00', 'login', 'cy');
select results_eq(
  $$ select day from public.event_actor_days
     where org_id = tests.get_org_id('zones') and actor_id = 'cy' $$,
  $$ values ('2026-01-11'::date) $$,
  'new events are rolled up in the new zone directly');

select isnt_empty(
  $$ select 1 from cron.job where jobname = 'lytics-actor-day-rebuilds'
       and command like '%rebuild_queued_actor_days%' $$,
  'pg_cron runs queued rebuilds every minute');

select * from finish();
rollback;
