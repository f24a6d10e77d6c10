-- The cross-name day rollups (20261201000700): events per name and day, and events per
-- day and properties object across names. Members of the organization read them; nobody
-- else does and nobody writes them through the API. The trigger fills them from the rows
-- an insert actually stores, in the organization's days; a rebuild and folding keep sums.
begin;
select plan(17);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon;
update public.organizations set timezone = 'America/New_York' where id = (select org_a from ids);
-- The update queued a rebuild; this organization has no events yet, so run it now.
select private.rebuild_event_details(org_a) from ids;
delete from private.detail_rollup_rebuilds where org_id = (select org_a from ids);

-- 03:00 UTC on the 10th is still the 9th in New York. Two names share one object.
insert into public.events (org_id, id, name, occurred_at, actor_id, properties)
select org_a, e.id, e.name, e.at::timestamptz, 'bob', e.props::jsonb
from ids, (values ('e1', 'export', '2026-01-10 03:00:00+00', '{"plan": "pro"}'),
                  ('e2', 'export', '2026-01-10 15:00:00+00', '{"plan": "pro"}'),
                  ('e3', 'page_view', '2026-01-10 15:30:00+00', '{"plan": "pro"}'),
                  ('e4', 'page_view', '2026-01-10 16:00:00+00', '{"plan": "free"}'))
  as e (id, name, at, props);
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_b, 'b1', 'export', '2026-01-10 12:00:00+00', 'zed' from ids;
-- A retried event adds nothing.
insert into public.events (org_id, id, name, occurred_at, actor_id, properties)
select org_a, 'e1', 'export', '2026-01-10 03:00:00+00', 'bob', '{"plan": "pro"}' from ids
on conflict do nothing;

select results_eq(
  $$ select day::text, name collate "default", sum(events)::int from public.event_name_days
     where org_id = (select org_a from ids) group by 1, 2 order by 1, 2 $$,
  $$ values ('2026-01-09', 'export', 1), ('2026-01-10', 'export', 1),
            ('2026-01-10', 'page_view', 2) $$,
  'event name days count each stored event once, on its organization day'
);
select results_eq(
  $$ select day::text, properties ->> 'plan', sum(events)::int from public.all_event_property_sets
     where org_id = (select org_a from ids) group by 1, 2 order by 1, 2 $$,
  $$ values ('2026-01-09', 'pro', 1), ('2026-01-10', 'free', 1), ('2026-01-10', 'pro', 2) $$,
  'all-event property sets merge the names'' equal objects per day'
);
select results_eq(
  $$ select day::text, set_rows, overflowed from public.all_event_property_days
     where org_id = (select org_a from ids) order by 1 $$,
  $$ values ('2026-01-09', 1, false), ('2026-01-10', 2, false) $$,
  'all-event property days count their set rows'
);

-- ---------------------------------------------------------------------------
-- Who reads them
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select isnt_empty(
  $$ select 1 from public.event_name_days where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s event name days');
select isnt_empty(
  $$ select 1 from public.all_event_property_sets where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s all-event property sets');
select isnt_empty(
  $$ select 1 from public.all_event_property_days where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s all-event property days');
select is_empty(
  $$ select 1 from public.event_name_days where org_id = (select org_b from ids)
     union all select 1 from public.all_event_property_sets where org_id = (select org_b from ids)
     union all select 1 from public.all_event_property_days where org_id = (select org_b from ids) $$,
  'a member of one organization sees none of another''s cross-name rollups');

select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.event_name_days (org_id, day, name, events)
     select org_a, '2026-01-01', 'x', 1 from ids $$,
  '42501', null, 'not even an owner writes event name days');
select throws_ok(
  $$ update public.all_event_property_sets set events = events + 1 $$,
  '42501', null, 'not even an owner changes all-event property sets');
select throws_ok(
  $$ delete from public.all_event_property_days $$,
  '42501', null, 'not even an owner deletes all-event property days');
select throws_ok(
  $$ select private.rebuild_all_event_rollups((select org_a from ids)) $$,
  '42501', null, 'a member cannot rebuild the cross-name rollups');

select tests.authenticate_as('outsider');
select is_empty(
  $$ select 1 from public.event_name_days where org_id = (select org_a from ids)
     union all select 1 from public.all_event_property_sets where org_id = (select org_a from ids) $$,
  'an outsider sees none of another organization''s cross-name rollups');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.event_name_days $$, '42501', null,
  'anon cannot read event name days');
select throws_ok($$ select * from public.all_event_property_sets $$, '42501', null,
  'anon cannot read all-event property sets');

-- ---------------------------------------------------------------------------
-- A timezone change's rebuild re-derives the days; folding keeps every sum
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
update public.organizations set timezone = 'UTC' where id = (select org_a from ids);
select private.rebuild_queued_event_details();
select results_eq(
  $$ select day::text, name collate "default", sum(events)::int from public.event_name_days
     where org_id = (select org_a from ids) group by 1, 2 order by 1, 2 $$,
  $$ values ('2026-01-10', 'export', 2), ('2026-01-10', 'page_view', 2) $$,
  'the timezone rebuild puts every event on its day in the new timezone'
);

insert into public.event_name_days (org_id, day, name, shard, events)
select org_a, '2026-01-10', 'export', s, n from ids, (values (2, 3), (5, -1)) as x (s, n);
insert into public.all_event_property_sets (org_id, day, set_key, shard, properties, events)
select org_a, '2026-01-10', md5('{"plan": "pro"}'::jsonb::text)::uuid, 4, '{"plan": "pro"}', 2
from ids;
select private.fold_all_event_shards();
select results_eq(
  $$ select name collate "default", shard::int, events::int from public.event_name_days
     where org_id = (select org_a from ids) order by 1 $$,
  $$ values ('export', 0, 4), ('page_view', 0, 2) $$,
  'folded name days sum their stripes into stripe 0'
);
select results_eq(
  $$ select properties ->> 'plan', shard::int, events::int from public.all_event_property_sets
     where org_id = (select org_a from ids) order by 1 $$,
  $$ values ('free', 0, 1), ('pro', 0, 5) $$,
  'folded all-event property sets sum their stripes into stripe 0'
);

select * from finish();
rollback;
