-- Day rollups across event names (issue #11): the two dashboard reads that still summed
-- tens of thousands of rows per name at 10M events.
--
-- * public.event_name_days: events per (organization, org day, name). Feature usage's page
--   of names by count summed ~76k rows of the 15-minute event_counts for 28 days (30 names
--   × 96 buckets × 28 days), ~12 ms of its 41 ms p95; here it is ≤ one row per name and
--   day (stripes of settled days folded), ~840 rows for 28 days.
-- * public.all_event_property_sets / all_event_property_days: event_property_sets
--   (20261201000500) without the name, i.e. events per (organization, day, properties
--   object) across every name. A breakdown of all events by a property (or with property
--   filters) read one row per (name, day, object), ~54k rows for 28 days of the bench
--   organization; across names it is one row per (day, object), ~1.8k. Exact for the same
--   reason: filters and keys are the same `properties ->> key` expressions, weighted.
--
-- Bound: `private.property_set_bound()` set rows per (organization, day), as per name.
-- Past it the day is marked overflowed, no further rows are written for it, and readers
-- count that day from event_property_sets (per name, itself exact, reading raw events for
-- that name's day past its own bound), so answers stay exact; the cost past the bound is
-- what every all-events breakdown paid before this migration, for those days only.
--
-- The machinery is 20261201000500's, not a second one: a statement trigger over the rows
-- an insert actually stores (a retried batch adds nothing), rows striped by writing
-- connection and folded by pg_cron, the organization's shared advisory lock so the
-- timezone rebuild (queue and readiness flag of 20261201000500, which now also rebuilds
-- these) holds batches back, cascade on organization delete, and a backfill below.
--
-- Why its own trigger rather than a part of private.roll_up_event_details: the same reason
-- as 20261201000600 (a redefinition would copy that function to change none of it). It
-- fires before events_roll_up_details (name order) and takes no advisory lock but the
-- shared one, so it adds no lock-order constraint. Write cost: one grouped pass over the
-- batch (grouped by the jsonb itself, hashed, with md5 only per distinct object) and two
-- upserts of a few dozen rows per 1,000-event batch (docs/performance/dashboard.md).
--
-- Migrations are append-only: change this with a new migration.

create table public.event_name_days (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  name text collate "C" not null,
  shard smallint not null default 0,
  events bigint not null,
  -- Day first: the reader asks for every name of a day range.
  primary key (org_id, day, name, shard)
) with (fillfactor = 70);
alter table public.event_name_days enable row level security;
revoke all on public.event_name_days from anon, authenticated, service_role;

create table public.all_event_property_sets (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  set_key uuid not null,
  shard smallint not null default 0,
  properties jsonb not null,
  events bigint not null,
  primary key (org_id, day, set_key, shard)
) with (fillfactor = 70);
alter table public.all_event_property_sets enable row level security;
revoke all on public.all_event_property_sets from anon, authenticated, service_role;

-- Set rows per (organization, day) and whether the day passed the bound. Written only
-- when a batch adds set rows.
create table public.all_event_property_days (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  set_rows integer not null,
  overflowed boolean not null default false,
  primary key (org_id, day)
);
alter table public.all_event_property_days enable row level security;
revoke all on public.all_event_property_days from anon, authenticated, service_role;

-- ===========================================================================
-- The trigger
-- ===========================================================================
create function private.roll_up_all_events() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  org uuid;
  stripe smallint := (pg_backend_pid() % 16)::smallint;
begin
  for org in select distinct org_id from new_events order by 1 loop
    perform pg_advisory_xact_lock_shared(private.detail_rollup_lock(org));
  end loop;

  -- Every data-modifying CTE runs, referenced or not; rows are written in key order so
  -- concurrent batches lock alike.
  with batch as (
    select e.org_id, (e.occurred_at at time zone o.timezone)::date as day, e.name, e.properties
    from new_events e join public.organizations o on o.id = e.org_id
  ), names as (
    insert into public.event_name_days as n (org_id, day, name, shard, events)
    select org_id, day, name, stripe, count(*) from batch
    group by 1, 2, 3
    order by 1, 2, 3
    on conflict (org_id, day, name, shard) do update set events = n.events + excluded.events
  ), objects as (
    select org_id, day, properties, count(*) as events from batch group by 1, 2, 3
  ), open as (
    select b.org_id, b.day, md5(b.properties::text)::uuid as set_key, b.properties, b.events
    from objects b
    where not exists (select 1 from public.all_event_property_days d
                      where d.org_id = b.org_id and d.day = b.day and d.overflowed)
  ), upserted as (
    insert into public.all_event_property_sets as s
      (org_id, day, set_key, shard, properties, events)
    select org_id, day, set_key, stripe, properties, events from open
    order by 1, 2, 3
    on conflict (org_id, day, set_key, shard) do update set events = s.events + excluded.events
    returning org_id, day, (xmax = 0) as inserted
  )
  insert into public.all_event_property_days as d (org_id, day, set_rows, overflowed)
  select org_id, day, count(*), count(*) > private.property_set_bound()
  from upserted where inserted
  group by 1, 2
  order by 1, 2
  on conflict (org_id, day) do update set
    set_rows = d.set_rows + excluded.set_rows,
    overflowed = d.overflowed or d.set_rows + excluded.set_rows > private.property_set_bound();
  return null;
end
$$;
revoke all on function private.roll_up_all_events() from public, anon, authenticated, service_role;

-- Name order puts it after events_roll_up and before events_roll_up_details.
create trigger events_roll_up_all_events after insert on public.events
  referencing new table as new_events
  for each statement execute function private.roll_up_all_events();

-- ===========================================================================
-- Rebuilds: a timezone change, and this migration's backfill
-- ===========================================================================
-- Re-derives one organization's cross-name rollups from its raw events in its current
-- timezone, under its detail-rollup lock (re-entrant when the caller holds it). Returns
-- the events it counted.
create function private.rebuild_all_event_rollups(org uuid)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  tz text;
  counted bigint;
begin
  perform pg_advisory_xact_lock(private.detail_rollup_lock(org));
  select o.timezone into tz from public.organizations o where o.id = org;
  if tz is null then
    return 0;
  end if;
  delete from public.event_name_days where org_id = org;
  delete from public.all_event_property_sets where org_id = org;
  delete from public.all_event_property_days where org_id = org;

  insert into public.event_name_days (org_id, day, name, shard, events)
  select org, (e.occurred_at at time zone tz)::date, e.name, 0, count(*)
  from public.events e where e.org_id = org
  group by 2, 3
  order by 2, 3;

  with objects as (
    select (e.occurred_at at time zone tz)::date as day, e.properties, count(*) as events
    from public.events e where e.org_id = org
    group by 1, 2
  ), ranked as (
    select o.day, md5(o.properties::text)::uuid as set_key, o.properties, o.events,
           row_number() over (partition by o.day order by md5(o.properties::text)) as n,
           count(*) over (partition by o.day) as set_rows
    from objects o
  ), days as (
    insert into public.all_event_property_days (org_id, day, set_rows, overflowed)
    select distinct org, day, least(set_rows, private.property_set_bound() + 1),
           set_rows > private.property_set_bound()
    from ranked
    returning 1
  )
  insert into public.all_event_property_sets (org_id, day, set_key, shard, properties, events)
  select org, day, set_key, 0, properties, events from ranked
  where n <= private.property_set_bound()
  order by day, set_key;

  select coalesce(sum(events), 0) into counted from public.event_name_days where org_id = org;
  return counted;
end
$$;
revoke all on function private.rebuild_all_event_rollups(uuid)
  from public, anon, authenticated, service_role;

-- The timezone rebuild (queued and run by 20261201000500's trigger and cron job) now also
-- rebuilds these: the body is 20261201000600's, unchanged, with one call added before the
-- return, so one queue and one readiness flag still cover every detail rollup.
create or replace function private.rebuild_event_details(org uuid)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  tz text;
  counted bigint;
begin
  perform pg_advisory_xact_lock(private.detail_rollup_lock(org));
  select o.timezone into tz from public.organizations o where o.id = org;
  if tz is null then
    return 0;
  end if;
  delete from public.event_property_sets where org_id = org;
  delete from public.event_property_days where org_id = org;
  delete from private.active_actor_days where org_id = org;
  delete from public.active_actor_gaps where org_id = org;

  with sets as (
    select e.name, (e.occurred_at at time zone tz)::date as day,
           md5(e.properties::text)::uuid as set_key, e.properties, count(*) as events
    from public.events e where e.org_id = org
    group by 1, 2, 3, 4
  ), ranked as (
    select s.*, row_number() over (partition by name, day order by set_key) as n
    from sets s
  ), days as (
    insert into public.event_property_days (org_id, name, day, set_rows, overflowed)
    select org, name, day, least(count(*), private.property_set_bound() + 1),
           count(*) > private.property_set_bound()
    from ranked group by name, day
    returning 1
  )
  insert into public.event_property_sets (org_id, name, day, set_key, shard, properties, events)
  select org, name, day, set_key, 0, properties, events from ranked
  where n <= private.property_set_bound()
  order by name, day, set_key;
  select coalesce(sum(events), 0) into counted from public.event_property_sets
  where org_id = org;

  insert into private.active_actor_days (org_id, actor_id, day)
  select distinct org, e.actor_id, (e.occurred_at at time zone tz)::date
  from public.events e where e.org_id = org and e.actor_id is not null
  order by 2, 3;

  insert into public.active_actor_gaps (org_id, day, gap, shard, actors)
  select org, day, least(coalesce(day - prev, 31), 31), 0, count(*)
  from (
    select day, lag(day) over (partition by actor_id order by day) as prev
    from private.active_actor_days where org_id = org
  ) as d
  group by 2, 3;
  perform private.rebuild_feature_actor_gaps(org);
  perform private.rebuild_all_event_rollups(org);
  return counted;
end
$$;
revoke all on function private.rebuild_event_details(uuid) from public, anon, authenticated, service_role;

-- ===========================================================================
-- Folding stripes of settled days
-- ===========================================================================
-- As fold_event_detail_shards: days older than `settled` days merge into stripe 0, sums
-- unchanged; set_rows stays as counted (it only over-counts, as there).
create function private.fold_all_event_shards(settled integer default 2)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  moved_names integer;
  moved_sets integer;
begin
  with moved as (
    delete from public.event_name_days
    where shard <> 0 and day < current_date - settled
    returning org_id, day, name, events
  ), sums as (
    select org_id, day, name, sum(events) as events from moved group by 1, 2, 3
  ), merged as (
    insert into public.event_name_days as n (org_id, day, name, shard, events)
    select org_id, day, name, 0, events from sums
    order by 1, 2, 3
    on conflict (org_id, day, name, shard) do update set events = n.events + excluded.events
  )
  select count(*) into moved_names from moved;

  with moved as (
    delete from public.all_event_property_sets
    where shard <> 0 and day < current_date - settled
    returning org_id, day, set_key, properties, events
  ), sums as (
    select org_id, day, set_key, min(properties::text)::jsonb as properties,
           sum(events) as events
    from moved group by 1, 2, 3
  ), merged as (
    insert into public.all_event_property_sets as s
      (org_id, day, set_key, shard, properties, events)
    select org_id, day, set_key, 0, properties, events from sums
    order by 1, 2, 3
    on conflict (org_id, day, set_key, shard) do update set events = s.events + excluded.events
  )
  select count(*) into moved_sets from moved;
  return moved_names + moved_sets;
end
$$;
revoke all on function private.fold_all_event_shards(integer)
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-all-event-fold', '*/10 * * * *',
                     'select private.fold_all_event_shards()');

-- ===========================================================================
-- Grants, policies, and the backfill of existing events
-- ===========================================================================
grant select on public.event_name_days, public.all_event_property_sets,
  public.all_event_property_days to authenticated;
grant select, insert, update, delete on public.event_name_days,
  public.all_event_property_sets, public.all_event_property_days to service_role;

create policy "Members can read their organization's event name days" on public.event_name_days
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can read their organization's all-event property sets"
  on public.all_event_property_sets
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can read their organization's all-event property days"
  on public.all_event_property_days
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

select private.rebuild_all_event_rollups(o.id) from public.organizations o order by o.id;
