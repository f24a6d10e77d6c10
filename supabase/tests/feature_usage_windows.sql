-- The feature actor windows (20261201000800): per event name and day, how many actors'
-- previous day of that name lies more than k days back (beyond[k + 1], k = 0..91).
-- Members of the organization read them; nobody else does, and nobody writes them through
-- the API. The trigger keeps them from the rows an insert stores; folding keeps sums.
begin;
select plan(11);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon;

-- bob exports on Jan 1 and Mar 1 (59 days apart); amy on Mar 1 only. A retry adds nothing.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, e.id, 'export', e.at::timestamptz, e.actor
from ids, (values ('e1', '2026-01-01 12:00:00+00', 'bob'),
                  ('e2', '2026-03-01 12:00:00+00', 'bob'),
                  ('e3', '2026-03-01 13:00:00+00', 'amy')) as e (id, at, actor);
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_b, 'b1', 'export', '2026-03-01 12:00:00+00', 'zed' from ids;
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'e2', 'export', '2026-03-01 12:00:00+00', 'bob' from ids
on conflict do nothing;

-- On Mar 1: amy has no previous day (beyond every k), bob's gap is 59 (beyond k < 59).
select results_eq(
  $$ select sum(beyond[1])::int, sum(beyond[59])::int, sum(beyond[60])::int,
            sum(beyond[92])::int
     from public.feature_actor_windows
     where org_id = (select org_a from ids) and day = '2026-03-01' $$,
  $$ values (2, 2, 1, 1) $$,
  'a day''s row counts its actors by how far back their previous day of the name lies'
);

-- A late export on Feb 20 re-links bob's Mar 1 to a gap of 9.
insert into public.events (org_id, id, name, occurred_at, actor_id)
select org_a, 'late', 'export', '2026-02-20 12:00:00+00', 'bob' from ids;
select results_eq(
  $$ select sum(beyond[1])::int, sum(beyond[9])::int, sum(beyond[10])::int
     from public.feature_actor_windows
     where org_id = (select org_a from ids) and day = '2026-03-01' $$,
  $$ values (2, 2, 1) $$,
  'a late day re-links the next known day of the name to it'
);

select tests.authenticate_as('viewer');
select isnt_empty(
  $$ select 1 from public.feature_actor_windows where org_id = (select org_a from ids) $$,
  'a viewer reads their organization''s feature actor windows');
select is_empty(
  $$ select 1 from public.feature_actor_windows where org_id = (select org_b from ids) $$,
  'a member of one organization sees none of another''s feature actor windows');

select tests.authenticate_as('owner');
select throws_ok(
  $$ insert into public.feature_actor_windows (org_id, name, day, beyond)
     select org_a, 'x', '2026-01-01', array_fill(1, array[92]) from ids $$,
  '42501', null, 'not even an owner writes feature actor windows');
select throws_ok(
  $$ delete from public.feature_actor_windows $$,
  '42501', null, 'not even an owner deletes feature actor windows');
select throws_ok(
  $$ select private.rebuild_feature_actor_windows((select org_a from ids)) $$,
  '42501', null, 'a member cannot rebuild feature actor windows');

select tests.authenticate_as('outsider');
select is_empty(
  $$ select 1 from public.feature_actor_windows where org_id = (select org_a from ids) $$,
  'an outsider sees none of another organization''s feature actor windows');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.feature_actor_windows $$, '42501', null,
  'anon cannot read feature actor windows');

-- The rebuild derives the same rows; folding sums stripes into stripe 0.
select tests.clear_authentication();
create temp table before as
select name, day, beyond from public.feature_actor_windows where org_id = (select org_a from ids);
update public.feature_actor_windows set shard = 3 where org_id = (select org_a from ids);
insert into public.feature_actor_windows (org_id, name, day, shard, beyond)
select org_a, 'export', '2026-03-01', 5, array_fill(0, array[92]) from ids;
select private.fold_feature_actor_windows();
select results_eq(
  $$ select name collate "default", day, beyond from public.feature_actor_windows
     where org_id = (select org_a from ids) and shard = 0 order by 1, 2 $$,
  $$ select name collate "default", day, beyond from before order by 1, 2 $$,
  'folded windows sum their stripes into stripe 0'
);
select private.rebuild_feature_actor_windows(org_a) from ids;
select results_eq(
  $$ select name collate "default", day, beyond from public.feature_actor_windows
     where org_id = (select org_a from ids) order by 1, 2 $$,
  $$ select name collate "default", day, beyond from before order by 1, 2 $$,
  'the rebuild derives what the trigger kept'
);

select * from finish();
rollback;
