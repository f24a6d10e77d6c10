-- The per-name actor days (20261201000600) and the window rows the trigger derives from
-- them (20261201000800; the gap rows were retired by 20261201000900): each name's actor
-- days fall on the organization's days, a late day re-links the next known one, and the
-- timezone rebuild re-derives both. beyond[k + 1] counts the day's actors whose previous
-- day of the name lies more than k days back, so beyond[1] is every actor of that day and
-- beyond[92] those with none within 91 days. Who reads and writes the window rows is
-- tested in feature_usage_windows.sql; here, that the per-name days and their rebuild stay
-- private.
begin;
select plan(5);

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

-- Per name and day: all actors, those whose previous day is more than 1 day back, none.
select results_eq(
  $$ select name collate "default", day::text, sum(beyond[1])::int, sum(beyond[2])::int,
            sum(beyond[92])::int
     from public.feature_actor_windows
     where org_id = (select org_a from ids) group by 1, 2 order by 1, 2 $$,
  $$ values ('export', '2026-01-09', 1, 1, 1), ('export', '2026-01-10', 1, 0, 0),
            ('page_view', '2026-01-10', 2, 2, 2) $$,
  'each name''s actor days count by the gap to that actor''s previous day of the name'
);

-- A late export on the 7th lands before the known 9th: the 9th's gap moves from none to 2.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'late', 'export', '2026-01-07 15:00:00+00', 'bob' from ids;
select results_eq(
  $$ select day::text, sum(beyond[1])::int, sum(beyond[2])::int, sum(beyond[3])::int,
            sum(beyond[92])::int
     from public.feature_actor_windows
     where org_id = (select org_a from ids) and name = 'export' group by 1 order by 1 $$,
  $$ values ('2026-01-07', 1, 1, 1, 1), ('2026-01-09', 1, 1, 0, 0), ('2026-01-10', 1, 0, 0, 0) $$,
  'a late day re-links the next known day of the name to it'
);

-- ---------------------------------------------------------------------------
-- The per-name days and their rebuild stay private
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select throws_ok(
  $$ select * from private.feature_actor_days $$, '42501', null,
  'the per-name actor days are not readable through the API');

select tests.authenticate_as('owner');
select throws_ok(
  $$ select private.rebuild_feature_actor_gaps((select org_a from ids)) $$,
  '42501', null, 'a member cannot rebuild the per-name actor days');

-- ---------------------------------------------------------------------------
-- A timezone change's rebuild re-derives the days and their window rows
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.organizations set timezone = 'UTC' where id = (select org_a from ids);
select private.rebuild_queued_event_details();
select results_eq(
  $$ select day::text, sum(beyond[1])::int, sum(beyond[3])::int, sum(beyond[4])::int,
            sum(beyond[92])::int
     from public.feature_actor_windows
     where org_id = (select org_a from ids) and name = 'export' group by 1 order by 1 $$,
  $$ values ('2026-01-07', 1, 1, 1, 1), ('2026-01-10', 1, 1, 0, 0) $$,
  'the timezone rebuild puts every actor day on its day in the new timezone'
);

select * from finish();
rollback;
