-- The detail rollups (20261201000500): every member of an organization reads its property
-- sets, property days and active-actor gaps; nobody else does, nobody writes them through
-- the API, and the per-actor days stay private. The trigger fills them from the rows an
-- insert actually stores, in the organization's days.
begin;
select plan(20);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon;
update public.organizations set timezone = 'America/New_York' where id = (select org_a from ids);
-- The update queued a rebuild; this organization has no events yet, so run it now.
select private.rebuild_event_details(org_a) from ids;
delete from private.detail_rollup_rebuilds where org_id = (select org_a from ids);

-- 03:00 UTC on the 10th is still the 9th in New York; bob's second day is 2 days later.
insert into public.events (org_id, id, name, occurred_at, actor_id, properties)
select org_a, e.id, 'page_view', e.at::timestamptz, e.actor, e.props::jsonb
from ids, (values ('e1', '2026-01-10 03:00:00+00', 'bob', '{"plan": "pro"}'),
                  ('e2', '2026-01-10 15:00:00+00', 'bob', '{"plan": "pro"}'),
                  ('e3', '2026-01-10 15:30:00+00', 'amy', '{"plan": "free"}'))
  as e (id, at, actor, props);
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_b, 'b1', 'page_view', '2026-01-10 12:00:00+00', 'zed' from ids;
-- A retried event adds nothing.
insert into public.events (org_id, id, name, occurred_at, actor_id, properties)
select org_a, 'e1', 'page_view', '2026-01-10 03:00:00+00', 'bob', '{"plan": "pro"}' from ids
on conflict do nothing;

select results_eq(
  $$ select day::text, properties ->> 'plan', sum(events)::int from public.event_property_sets
     where org_id = (select org_a from ids) group by 1, 2 order by 1, 2 $$,
  $$ values ('2026-01-09', 'pro', 1), ('2026-01-10', 'free', 1), ('2026-01-10', 'pro', 1) $$,
  'property sets count each stored event once, on its organization day'
);
select results_eq(
  $$ select day::text, gap::int, sum(actors)::int from public.active_actor_gaps
     where org_id = (select org_a from ids) group by 1, 2 order by 1, 2 $$,
  $$ values ('2026-01-09', 31, 1), ('2026-01-10', 1, 1), ('2026-01-10', 31, 1) $$,
  'active-actor gaps hold each actor day with the gap to the previous one (31: none)'
);

-- A late day between two known days moves the later one's gap.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'late', 'login', '2026-01-08 15:00:00+00', 'bob' from ids;
select results_eq(
  $$ select day::text, gap::int, sum(actors)::int from public.active_actor_gaps
     where org_id = (select org_a from ids) group by 1, 2 having sum(actors) <> 0
     order by 1, 2 $$,
  $$ values ('2026-01-08', 31, 1), ('2026-01-09', 1, 1), ('2026-01-10', 1, 1),
            ('2026-01-10', 31, 1) $$,
  'a late day re-links the next known day to it'
);

-- ---------------------------------------------------------------------------
-- Who reads them
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select isnt_empty(
  $$ select 1 from public.event_property_sets where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s property sets');
select isnt_empty(
  $$ select 1 from public.event_property_days where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s property days');
select isnt_empty(
  $$ select 1 from public.active_actor_gaps where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s active-actor gaps');
select is_empty(
  $$ select 1 from public.event_property_sets where org_id = (select org_b from ids)
     union all select 1 from public.event_property_days where org_id = (select org_b from ids)
     union all select 1 from public.active_actor_gaps where org_id = (select org_b from ids) $$,
  'a member of one organization sees none of another''s detail rollups');
select is(private.detail_rollups_ready((select org_a from ids)), true,
  'a member may ask whether the rollups follow the timezone');
select throws_ok(
  $$ select * from private.active_actor_days $$, '42501', null,
  'the per-actor days are not readable through the API');

select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.event_property_sets (org_id, name, day, set_key, properties, events)
     select org_a, 'x', '2026-01-01', gen_random_uuid(), '{}', 1 from ids $$,
  '42501', null, 'not even an owner writes property sets');
select throws_ok(
  $$ update public.active_actor_gaps set actors = actors + 1 $$,
  '42501', null, 'not even an owner changes active-actor gaps');
select throws_ok(
  $$ delete from public.event_property_days $$,
  '42501', null, 'not even an owner deletes property days');
select throws_ok(
  $$ select private.rebuild_event_details((select org_a from ids)) $$,
  '42501', null, 'a member cannot start a rebuild');

select tests.authenticate_as('outsider');
select is_empty(
  $$ select 1 from public.event_property_sets where org_id = (select org_a from ids)
     union all select 1 from public.active_actor_gaps where org_id = (select org_a from ids) $$,
  'an outsider sees none of another organization''s detail rollups');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.event_property_sets $$, '42501', null,
  'anon cannot read property sets');
select throws_ok($$ select private.detail_rollups_ready(gen_random_uuid()) $$, '42501', null,
  'anon cannot ask for rollup readiness');

-- ---------------------------------------------------------------------------
-- A timezone change queues a rebuild, which re-derives the days
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.organizations set timezone = 'UTC' where id = (select org_a from ids);
select is(private.detail_rollups_ready((select org_a from ids)), false,
  'a timezone change marks the rollups as not ready');
select private.rebuild_queued_event_details();
select results_eq(
  $$ select day::text, properties ->> 'plan', sum(events)::int from public.event_property_sets
     where org_id = (select org_a from ids) and name = 'page_view' group by 1, 2 order by 1, 2 $$,
  $$ values ('2026-01-10', 'free', 1), ('2026-01-10', 'pro', 2) $$,
  'the rebuild puts every event on its day in the new timezone'
);

-- ---------------------------------------------------------------------------
-- Folding stripes of settled days keeps every sum
-- ---------------------------------------------------------------------------
insert into public.event_property_sets (org_id, name, day, set_key, shard, properties, events)
select org_a, 'page_view', '2026-01-10', md5('{"plan": "pro"}'::jsonb::text)::uuid, s,
       '{"plan": "pro"}', 3
from ids, generate_series(1, 2) as s;
insert into public.active_actor_gaps (org_id, day, gap, shard, actors)
select org_a, '2026-01-10', 31, 4, -1 from ids;
select private.fold_event_detail_shards();
select results_eq(
  $$ select shard::int, properties ->> 'plan', events::int from public.event_property_sets
     where org_id = (select org_a from ids) and name = 'page_view' order by 2 $$,
  $$ values (0, 'free', 1), (0, 'pro', 8) $$,
  'folded property sets are one stripe-0 row per object with the summed events'
);
select results_eq(
  $$ select day::text, gap::int, shard::int, actors from public.active_actor_gaps
     where org_id = (select org_a from ids) and actors <> 0 order by 1, 2 $$,
  $$ values ('2026-01-08', 31, 0, 1), ('2026-01-10', 2, 0, 1) $$,
  'folded gaps sum their stripes: a negative stripe nets (2026-01-10, 31) to 0'
);

select * from finish();
rollback;
