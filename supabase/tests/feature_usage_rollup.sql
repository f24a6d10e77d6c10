-- The feature actor gaps (20261201000600): per event name, each actor day with the gap to
-- the actor's previous day of that name. Members of the organization read them; nobody
-- else does, nobody writes them through the API, and the per-name actor days stay private.
begin;
select plan(12);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon;
update public.organizations set timezone = 'America/New_York' where id = (select org_a from ids);
-- The update queued a rebuild; this organization has no events yet, so run it now.
select private.rebuild_event_details(org_a) from ids;
delete from private.detail_rollup_rebuilds where org_id = (select org_a from ids);

-- 03:00 UTC on the 10th is still the 9th in New York. bob exports on the 9th and the
-- 10th; his page views on the 10th do not make him an exporter.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, e.id, e.name, e.at::timestamptz, e.actor
from ids, (values ('e1', 'export', '2026-01-10 03:00:00+00', 'bob'),
                  ('e2', 'export', '2026-01-10 15:00:00+00', 'bob'),
                  ('e3', 'page_view', '2026-01-10 15:30:00+00', 'bob'),
                  ('e4', 'page_view', '2026-01-10 16:00:00+00', 'amy'))
  as e (id, name, at, actor);
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_b, 'b1', 'export', '2026-01-10 12:00:00+00', 'zed' from ids;
-- A retried event adds nothing.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'e1', 'export', '2026-01-10 03:00:00+00', 'bob' from ids
on conflict do nothing;

select results_eq(
  $$ select name collate "default", day::text, gap::int, sum(actors)::int from public.feature_actor_gaps
     where org_id = (select org_a from ids) group by 1, 2, 3 order by 1, 2, 3 $$,
  $$ values ('export', '2026-01-09', 31, 1), ('export', '2026-01-10', 1, 1),
            ('page_view', '2026-01-10', 31, 2) $$,
  'each name''s actor days hold the gap to that actor''s previous day of the name'
);

-- A late export on the 7th lands before the known 9th: the 9th's gap moves from none (31)
-- to 2.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'late', 'export', '2026-01-07 15:00:00+00', 'bob' from ids;
select results_eq(
  $$ select day::text, gap::int, sum(actors)::int from public.feature_actor_gaps
     where org_id = (select org_a from ids) and name = 'export' group by 1, 2
     having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2026-01-07', 31, 1), ('2026-01-09', 2, 1), ('2026-01-10', 1, 1) $$,
  'a late day re-links the next known day of the name to it'
);

-- ---------------------------------------------------------------------------
-- Who reads them
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select isnt_empty(
  $$ select 1 from public.feature_actor_gaps where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s feature actor gaps');
select is_empty(
  $$ select 1 from public.feature_actor_gaps where org_id = (select org_b from ids) $$,
  'a member of one organization sees none of another''s feature actor gaps');
select throws_ok(
  $$ select * from private.feature_actor_days $$, '42501', null,
  'the per-name actor days are not readable through the API');

select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.feature_actor_gaps (org_id, name, day, gap, actors)
     select org_a, 'x', '2026-01-01', 1, 1 from ids $$,
  '42501', null, 'not even an owner writes feature actor gaps');
select throws_ok(
  $$ delete from public.feature_actor_gaps $$,
  '42501', null, 'not even an owner deletes feature actor gaps');
select throws_ok(
  $$ select private.rebuild_feature_actor_gaps((select org_a from ids)) $$,
  '42501', null, 'a member cannot rebuild feature actor gaps');

select tests.authenticate_as('outsider');
select is_empty(
  $$ select 1 from public.feature_actor_gaps where org_id = (select org_a from ids) $$,
  'an outsider sees none of another organization''s feature actor gaps');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.feature_actor_gaps $$, '42501', null,
  'anon cannot read feature actor gaps');

-- ---------------------------------------------------------------------------
-- A timezone change's rebuild re-derives the days; folding keeps every sum
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.organizations set timezone = 'UTC' where id = (select org_a from ids);
select private.rebuild_queued_event_details();
select results_eq(
  $$ select day::text, gap::int, sum(actors)::int from public.feature_actor_gaps
     where org_id = (select org_a from ids) and name = 'export' group by 1, 2
     having sum(actors) <> 0 order by 1, 2 $$,
  $$ values ('2026-01-07', 31, 1), ('2026-01-10', 3, 1) $$,
  'the timezone rebuild puts every actor day on its day in the new timezone'
);

insert into public.feature_actor_gaps (org_id, name, day, gap, shard, actors)
select org_a, 'export', '2026-01-10', g, s, a
from ids, (values (3, 2, 1), (3, 5, -1), (9, 5, 1)) as x (g, s, a);
select private.fold_feature_actor_shards();
select results_eq(
  $$ select day::text, gap::int, shard::int, actors from public.feature_actor_gaps
     where org_id = (select org_a from ids) and name = 'export' and actors <> 0
     order by 1, 2 $$,
  $$ values ('2026-01-07', 31, 0, 1), ('2026-01-10', 3, 0, 1), ('2026-01-10', 9, 0, 1) $$,
  'folded gaps sum their stripes into stripe 0'
);

select * from finish();
rollback;
