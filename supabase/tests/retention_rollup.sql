-- The retention rollup (20261201000720): the trigger on the detail rollups' actor days
-- fills day and week cells in the organization's days, moves an actor's cells when a late
-- event moves its first day, counts a retried event once; members of the organization read
-- its cells, nobody else does, nobody writes them through the API; stripes fold and a
-- timezone change rebuilds them.
begin;
select plan(17);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon;
update public.organizations set timezone = 'America/New_York' where id = (select org_a from ids);
select private.rebuild_event_details(org_a) from ids;
delete from private.detail_rollup_rebuilds where org_id = (select org_a from ids);

-- 03:00 UTC on Saturday the 10th is still Friday the 9th in New York (week of Monday the
-- 5th); amy is first seen on Monday the 12th.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, e.id, 'page_view', e.at::timestamptz, e.actor
from ids, (values ('e1', '2026-01-10 03:00:00+00', 'bob'),
                  ('e2', '2026-01-10 15:00:00+00', 'bob'),
                  ('e3', '2026-01-12 15:00:00+00', 'amy')) as e (id, at, actor);
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_b, 'b1', 'page_view', '2026-01-10 12:00:00+00', 'zed' from ids;

select results_eq(
  $$ select cohort_day::text, active_day::text, sum(actors)::int from public.retention_day_cells
     where org_id = (select org_a from ids) group by 1, 2 having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2026-01-09', '2026-01-09', 1), ('2026-01-09', '2026-01-10', 1),
            ('2026-01-12', '2026-01-12', 1) $$,
  'day cells count each actor on its first day and later days, in the organization''s days'
);
select results_eq(
  $$ select cohort_week::text, active_week::text, sum(actors)::int
     from public.retention_week_cells
     where org_id = (select org_a from ids) group by 1, 2 having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2026-01-05', '2026-01-05', 1), ('2026-01-12', '2026-01-12', 1) $$,
  'week cells count an actor once per week'
);

-- A late event a week earlier moves bob's first day, and all his cells with it; a retried
-- event adds nothing.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'late', 'login', '2026-01-02 15:00:00+00', 'bob' from ids;
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'e2', 'page_view', '2026-01-10 15:00:00+00', 'bob' from ids
on conflict do nothing;
select results_eq(
  $$ select cohort_day::text, active_day::text, sum(actors)::int from public.retention_day_cells
     where org_id = (select org_a from ids) group by 1, 2 having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2026-01-02', '2026-01-02', 1), ('2026-01-02', '2026-01-09', 1),
            ('2026-01-02', '2026-01-10', 1), ('2026-01-12', '2026-01-12', 1) $$,
  'a late first day moves the actor''s day cells to the new cohort'
);
select results_eq(
  $$ select cohort_week::text, active_week::text, sum(actors)::int
     from public.retention_week_cells
     where org_id = (select org_a from ids) group by 1, 2 having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2025-12-29', '2025-12-29', 1), ('2025-12-29', '2026-01-05', 1),
            ('2026-01-12', '2026-01-12', 1) $$,
  'and its week cells to the new cohort week'
);

-- ---------------------------------------------------------------------------
-- Who reads them
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select isnt_empty(
  $$ select 1 from public.retention_day_cells where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s retention day cells');
select isnt_empty(
  $$ select 1 from public.retention_week_cells where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s retention week cells');
select is_empty(
  $$ select 1 from public.retention_day_cells where org_id = (select org_b from ids)
     union all select 1 from public.retention_week_cells where org_id = (select org_b from ids) $$,
  'a member of one organization sees none of another''s retention cells');

select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.retention_day_cells (org_id, cohort_day, active_day, actors)
     select org_a, '2026-01-01', '2026-01-01', 1 from ids $$,
  '42501', null, 'not even an owner writes retention day cells');
select throws_ok(
  $$ update public.retention_week_cells set actors = actors + 1 $$,
  '42501', null, 'not even an owner changes retention week cells');
select throws_ok(
  $$ select private.rebuild_retention_cells((select org_a from ids)) $$,
  '42501', null, 'a member cannot rebuild the retention cells');

select tests.authenticate_as('outsider');
select is_empty(
  $$ select 1 from public.retention_day_cells where org_id = (select org_a from ids)
     union all select 1 from public.retention_week_cells where org_id = (select org_a from ids) $$,
  'an outsider sees none of another organization''s retention cells');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.retention_day_cells $$, '42501', null,
  'anon cannot read retention day cells');
select throws_ok($$ select * from public.retention_week_cells $$, '42501', null,
  'anon cannot read retention week cells');

-- ---------------------------------------------------------------------------
-- Folding stripes keeps every sum; a timezone change rebuilds the cells
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
select private.fold_retention_shards(); -- the trigger's rows are in this connection's stripe
insert into public.retention_day_cells (org_id, cohort_day, active_day, shard, actors)
select org_a, '2026-01-12', '2026-01-12', s, 2 from ids, generate_series(3, 4) as s;
insert into public.retention_week_cells (org_id, cohort_week, active_week, shard, actors)
select org_a, '2026-01-12', '2026-01-12', 5, -1 from ids;
select private.fold_retention_shards();
select results_eq(
  $$ select shard::int, actors from public.retention_day_cells
     where org_id = (select org_a from ids) and cohort_day = '2026-01-12' $$,
  $$ values (0, 5) $$,
  'folded day cells are one stripe-0 row with the summed actors'
);
select results_eq(
  $$ select shard::int, actors from public.retention_week_cells
     where org_id = (select org_a from ids) and cohort_week = '2026-01-12' $$,
  $$ values (0, 0) $$,
  'folded week cells too'
);

update public.organizations set timezone = 'UTC' where id = (select org_a from ids);
select private.rebuild_queued_event_details();
select results_eq(
  $$ select cohort_day::text, active_day::text, sum(actors)::int from public.retention_day_cells
     where org_id = (select org_a from ids) group by 1, 2 having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2026-01-02', '2026-01-02', 1), ('2026-01-02', '2026-01-10', 1),
            ('2026-01-12', '2026-01-12', 1) $$,
  'the timezone rebuild derives the day cells in the new zone'
);
select results_eq(
  $$ select cohort_week::text, active_week::text, sum(actors)::int
     from public.retention_week_cells
     where org_id = (select org_a from ids) group by 1, 2 having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2025-12-29', '2025-12-29', 1), ('2025-12-29', '2026-01-05', 1),
            ('2026-01-12', '2026-01-12', 1) $$,
  'and the week cells'
);

select * from finish();
rollback;
