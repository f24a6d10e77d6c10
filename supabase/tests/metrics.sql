-- metrics: members write and replace their organization's values, viewers only read,
-- admins delete; nobody else sees or touches them.
begin;
select plan(22);

-- acme (org_a): owner, admin, member and viewer; other (org_b): outsider, alone.
select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as org_a, tests.get_org_id('other') as org_b;
grant select on ids to authenticated, anon;

insert into public.metrics (org_id, metric_name, metric_date, value)
select org_b, 'visits', '2026-01-01', 99 from ids;

-- ---------------------------------------------------------------------------
-- Writing
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select lives_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'visits', '2026-01-01', 10 from ids $$,
  'a member can write a metric of their organization'
);
select lives_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'visits', '2026-01-01', 12 from ids
     on conflict (org_id, metric_name, metric_date, source, dimension)
     do update set value = excluded.value $$,
  'a member can replace a value by writing its key again'
);
select results_eq(
  $$ select value from public.metrics where metric_name = 'visits'
     and org_id = (select org_a from ids) $$,
  $$ values (12::numeric) $$,
  'the key was written once and holds the latest value'
);

select tests.authenticate_as('admin');
select lives_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, source, dimension, value)
     select org_a, 'visits', '2026-01-01', 'ga4', 'DE', 3 from ids $$,
  'an admin can write a metric'
);

select tests.authenticate_as('owner');
select lives_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'signups', '2026-01-01', 1 from ids $$,
  'an owner can write a metric'
);

select tests.authenticate_as('viewer');
select throws_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'visits', '2026-01-02', 1 from ids $$,
  '42501', null,
  'a viewer cannot write a metric'
);
update public.metrics set value = 0 where org_id = (select org_a from ids);
select tests.clear_authentication();
select is(
  (select count(*)::int from public.metrics where org_id = (select org_a from ids) and value = 0),
  0,
  'a viewer cannot change a value'
);

select tests.authenticate_as('outsider');
select throws_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'visits', '2026-01-03', 1 from ids $$,
  '42501', null,
  'a user of another organization cannot write into it'
);

-- ---------------------------------------------------------------------------
-- Reading
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select is(
  (select count(*)::int from public.metrics),
  3,
  'a viewer reads all of their organization''s metrics and nothing else'
);

select tests.authenticate_as('member');
select is(
  (select count(*)::int from public.metrics where org_id = (select org_b from ids)),
  0,
  'a member does not see another organization''s metrics'
);

select tests.authenticate_as('outsider');
select is(
  (select count(*)::int from public.metrics where org_id = (select org_a from ids)),
  0,
  'a user of another organization sees none of them'
);
select is(
  (select count(*)::int from public.metrics),
  1,
  'and still sees their own'
);

select tests.authenticate_as_anon();
select throws_ok(
  $$ select * from public.metrics $$,
  '42501', null,
  'anon cannot read metrics'
);
select throws_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     values ('00000000-0000-0000-0000-000000000000', 'x', '2026-01-01', 1) $$,
  '42501', null,
  'anon cannot write metrics'
);

-- ---------------------------------------------------------------------------
-- Deleting
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
delete from public.metrics where org_id = (select org_a from ids);
select is(
  (select count(*)::int from public.metrics where org_id = (select org_a from ids)),
  3,
  'a member cannot delete metrics'
);

select tests.authenticate_as('outsider');
delete from public.metrics where org_id = (select org_a from ids);
select tests.clear_authentication();
select is(
  (select count(*)::int from public.metrics where org_id = (select org_a from ids)),
  3,
  'a user of another organization cannot delete them'
);

select tests.authenticate_as('admin');
delete from public.metrics where metric_name = 'signups';
select is(
  (select count(*)::int from public.metrics where org_id = (select org_a from ids)),
  2,
  'an admin can delete their organization''s metrics'
);

-- ---------------------------------------------------------------------------
-- Values the dashboard could not sum
-- ---------------------------------------------------------------------------
select tests.clear_authentication();
select throws_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'broken', '2026-01-01', 'NaN' from ids $$,
  '23514', null,
  'NaN is refused'
);
select throws_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'broken', '2026-01-01', 'Infinity' from ids $$,
  '23514', null,
  'Infinity is refused'
);
select throws_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'broken', '2026-01-01', 1e308 from ids $$,
  '23514', null,
  'a value beyond 1e15 is refused: two of 1e308 would overflow every sum of float8'
);
select throws_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'broken', '2026-01-01', -1000000000000000.5 from ids $$,
  '23514', null,
  'a value below -1e15 is refused'
);
select lives_ok(
  $$ insert into public.metrics (org_id, metric_name, metric_date, value)
     select org_a, 'largest', '2026-01-01', 1e15 from ids $$,
  'a value of exactly 1e15 is stored'
);

select * from finish();
rollback;
