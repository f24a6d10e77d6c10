-- events: members send events for their organization, everyone in it reads them and their
-- rollups, nobody else sees them; the rollups count each stored event exactly once.
begin;
select plan(30);

-- acme (org_a): owner, admin, member and viewer; other (org_b): outsider, alone.
select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon;
-- Event identifiers are collated "C": results_eq compares them with plain text literals, so
-- the queries below mark them "default".
-- New York, so an event at 03:00 UTC belongs to the previous local day.
update public.organizations set timezone = 'America/New_York' where id = (select org_a from ids);

-- ---------------------------------------------------------------------------
-- Who may send events
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select lives_ok(
  $$ insert into public.events (org_id, id, name, occurred_at, actor_id)
     select org_a, e.id, 'signup', e.at::timestamptz, 'alice'
     from ids, (values ('e1', '2026-01-10 10:01:00+00'), ('e2', '2026-01-10 10:14:59+00'),
                       ('e3', '2026-01-10 10:15:00+00')) as e(id, at) $$,
  'a member can send events to their organization'
);

select tests.authenticate_as('admin');
select lives_ok(
  $$ insert into public.events (org_id, id, name, occurred_at, actor_id)
     select org_a, 'e4', 'signup', '2026-01-10 03:00:00+00', 'bob' from ids $$,
  'an admin can send events'
);

select tests.authenticate_as('owner');
select lives_ok(
  $$ insert into public.events (org_id, id, name, occurred_at)
     select org_a, 'e5', 'page_view', '2026-01-10 03:30:00+00' from ids $$,
  'an owner can send events'
);

select tests.authenticate_as('viewer');
select throws_ok(
  $$ insert into public.events (org_id, id, name, occurred_at)
     select org_a, 'v1', 'signup', now() from ids $$,
  '42501', null,
  'a viewer cannot send events'
);

select tests.authenticate_as('outsider');
select throws_ok(
  $$ insert into public.events (org_id, id, name, occurred_at)
     select org_a, 'o1', 'signup', now() from ids $$,
  '42501', null,
  'a user of another organization cannot send events into it'
);
select lives_ok(
  $$ insert into public.events (org_id, id, name, occurred_at, actor_id)
     select org_b, 'b1', 'signup', '2026-01-10 10:05:00+00', 'alice' from ids $$,
  'but can send events to their own'
);

select tests.authenticate_as('member');
select throws_ok(
  $$ update public.events set name = 'changed' $$,
  '42501', null,
  'events cannot be changed once stored'
);

-- ---------------------------------------------------------------------------
-- Who may read them
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select is((select count(*)::int from public.events), 5, 'a viewer reads their organization''s events only');
select is(
  (select count(*)::int from public.event_counts), 4,
  'and their event counts'
);

select tests.authenticate_as('outsider');
select is(
  (select count(*)::int from public.events where org_id = (select org_a from ids)), 0,
  'a user of another organization sees none of its events'
);
select is(
  (select count(*)::int from public.event_counts where org_id = (select org_a from ids))
  + (select count(*)::int from public.event_actor_days where org_id = (select org_a from ids))
  + (select count(*)::int from public.event_actors where org_id = (select org_a from ids)),
  0,
  'nor any of its rollups'
);
select throws_ok(
  $$ insert into public.event_counts (org_id, name, bucket, events)
     select org_b, 'forged', now(), 1000 from ids $$,
  '42501', null,
  'rollups are written by the trigger only'
);

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.events $$, '42501', null, 'anon cannot read events');
select throws_ok($$ select * from public.event_counts $$, '42501', null, 'anon cannot read event counts');
select throws_ok(
  $$ insert into public.events (org_id, id, name, occurred_at)
     values ('00000000-0000-0000-0000-000000000000', 'x', 'x', now()) $$,
  '42501', null,
  'anon cannot send events'
);

-- ---------------------------------------------------------------------------
-- Rollups
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select results_eq(
  $$ select bucket, events from public.event_counts
     where org_id = (select org_a from ids) and name = 'signup' and bucket >= '2026-01-10 10:00+00'
     order by bucket $$,
  $$ values ('2026-01-10 10:00:00+00'::timestamptz, 2::bigint),
            ('2026-01-10 10:15:00+00'::timestamptz, 1::bigint) $$,
  'events in one 15-minute bucket are counted together, the next bucket apart'
);

-- A retried batch: e1 is already stored, e6 is new.
select lives_ok(
  $$ insert into public.events (org_id, id, name, occurred_at, actor_id)
     select org_a, e.id, 'signup', e.at::timestamptz, 'alice'
     from ids, (values ('e1', '2026-01-10 10:01:00+00'), ('e6', '2026-01-10 10:02:00+00')) as e(id, at)
     on conflict (org_id, id, occurred_at) do nothing $$,
  'a batch with an already stored event is accepted'
);
select is(
  (select events from public.event_counts
   where org_id = (select org_a from ids) and name = 'signup' and bucket = '2026-01-10 10:00+00'),
  3::bigint,
  'only the new event of a re-sent batch is counted'
);
select is(
  (select count(*)::int from public.events where org_id = (select org_a from ids) and id = 'e1'),
  1,
  'the re-sent event is stored once'
);

select results_eq(
  $$ select day, actor_id collate "default" from public.event_actor_days
     where org_id = (select org_a from ids) order by day, actor_id $$,
  $$ values ('2026-01-09'::date, 'bob'), ('2026-01-10'::date, 'alice') $$,
  'actor days are the organization''s local days, one row per actor and day'
);

-- An event that happened before alice's first known one moves her first-seen back.
select lives_ok(
  $$ insert into public.events (org_id, id, name, occurred_at, actor_id)
     select org_a, 'e7', 'page_view', '2026-01-08 12:00:00+00', 'alice' from ids $$,
  'a late event is accepted'
);
select results_eq(
  $$ select actor_id collate "default", first_seen_at, first_seen_day from public.event_actors
     where org_id = (select org_a from ids) order by actor_id $$,
  $$ values ('alice', '2026-01-08 12:00:00+00'::timestamptz, '2026-01-08'::date),
            ('bob', '2026-01-10 03:00:00+00'::timestamptz, '2026-01-09'::date) $$,
  'actors keep their first activity and the local day it fell on'
);
select lives_ok(
  $$ insert into public.events (org_id, id, name, occurred_at, actor_id)
     select org_a, 'e8', 'page_view', '2026-01-11 12:00:00+00', 'alice' from ids $$,
  'a later event is accepted'
);
select is(
  (select first_seen_at from public.event_actors
   where org_id = (select org_a from ids) and actor_id = 'alice'),
  '2026-01-08 12:00:00+00'::timestamptz,
  'a later event leaves the first-seen time alone'
);
select is(
  (select count(*)::int from public.event_actor_days
   where org_id = (select org_a from ids) and actor_id = 'alice'),
  3,
  'the late and the later event each add a day for their actor'
);

select tests.authenticate_as('outsider');
select results_eq(
  $$ select actor_id collate "default", day from public.event_actor_days $$,
  $$ values ('alice', '2026-01-10'::date) $$,
  'the same actor id in another organization is counted there, separately'
);

select tests.clear_authentication();
select is(
  (select sum(events)::int from public.event_counts where org_id = (select org_a from ids)),
  (select count(*)::int from public.events where org_id = (select org_a from ids)),
  'the counts add up to the stored events'
);
select is(
  (select count(*)::int from public.events where name = 'signup'
   and occurred_at < '2026-01-10 10:15:00+00' and org_id = (select org_a from ids)),
  4,
  'sanity: four signups before 10:15 were stored'
);

-- ---------------------------------------------------------------------------
-- The organization reference (checked once per batch by the rollup trigger)
-- ---------------------------------------------------------------------------
select throws_ok(
  $$ insert into public.events (org_id, id, name, occurred_at)
     values ('00000000-0000-0000-0000-000000000001', 'ghost', 'x', now()) $$,
  '23503', null,
  'an event of an organization that does not exist is refused, whoever sends it'
);
delete from public.organizations where id = (select org_b from ids);
select is(
  (select count(*)::int from public.events where org_id = (select org_b from ids))
  + (select count(*)::int from public.event_actor_days where org_id = (select org_b from ids)),
  0,
  'deleting an organization deletes its events and rollups'
);

select * from finish();
rollback;
