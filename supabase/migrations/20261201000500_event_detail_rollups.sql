-- Rollups for the dashboard questions that still read raw events (issue #11): breakdowns and
-- series filtered or grouped by event properties, and the rolling DAU/WAU/MAU series.
--
-- Both are kept by their own statement trigger on public.events (events_roll_up_details),
-- beside private.roll_up_new_events, which they neither change nor read: that trigger's
-- rollups may move out of the insert's transaction without these following.
--
-- Both are exact. Days are the organization's calendar days (as event_actor_days), so they
-- answer windows in the organization's timezone; a request in another timezone, or an hour
-- granularity, reads raw events as before (shared/analytics/detail-rollups.ts decides).
--
-- Migrations are append-only: change this with a new migration.

-- ===========================================================================
-- Property sets: events per organization day, name and whole properties object
-- ===========================================================================
-- One row per distinct properties object an event name had on a day, with how many events
-- had it. A filter or breakdown on any property evaluates the same `properties ->> key`
-- expression on these rows as on the events, weighted by `events`, so every combination
-- of filters and any breakdown key gives the raw answer, exactly (nothing is dropped: no
-- key list, no value truncation).
--
-- Why whole objects rather than one row per (key, value): the filter language ANDs filters
-- on several keys, which per-key counts cannot answer. Products send few distinct property
-- objects per event name and day (the bench sends 64); where one sends many (a request id,
-- a full URL), the rows would approach the events, so the count is bounded per
-- (organization, name, day): past `private.property_set_bound()` rows the day is marked
-- overflowed, no further rows are written for it, and readers count that name's day from
-- raw events (an index range scan of that day only), so answers stay exact and the cost
-- past the bound is the raw cost of those days.
--
-- `set_key` is md5 of the canonical jsonb text (jsonb orders keys and drops duplicates, so
-- equal objects have equal text): a btree cannot index large jsonb values, and 128 bits make
-- a collision negligible. Rows are striped by writing connection (`shard`, as
-- event_counts): every batch adds to the same few rows of today, and concurrent batches
-- would otherwise queue on their locks. fold_event_detail_shards merges settled days.
create table public.event_property_sets (
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text collate "C" not null,
  day date not null,
  set_key uuid not null,
  shard smallint not null default 0,
  properties jsonb not null,
  events bigint not null,
  primary key (org_id, name, day, set_key, shard)
) with (fillfactor = 70);
alter table public.event_property_sets enable row level security;
revoke all on public.event_property_sets from anon, authenticated, service_role;
-- Breakdowns of all events (no name) read by day.
create index event_property_sets_org_day_idx on public.event_property_sets (org_id, day);

-- How many set rows each (organization, name, day) has, and whether it passed the bound.
-- Written only when a batch adds set rows, so a steady day costs nothing here.
create table public.event_property_days (
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text collate "C" not null,
  day date not null,
  set_rows integer not null,
  overflowed boolean not null default false,
  primary key (org_id, name, day)
);
alter table public.event_property_days enable row level security;
revoke all on public.event_property_days from anon, authenticated, service_role;
-- Readers ask for the overflowed days of a window only.
create index event_property_days_overflowed_idx on public.event_property_days (org_id, day)
  where overflowed;

-- Set rows per (organization, name, day) before a day reads from raw events. 2,000 rows of
-- a 90-day window of one name is at most 180k rows: beyond that, raw events are no slower.
create function private.property_set_bound() returns integer
language sql immutable
set search_path = ''
as $$ select 2000 $$;
revoke all on function private.property_set_bound() from public, anon, authenticated, service_role;

-- ===========================================================================
-- Active-actor gaps: exact rolling DAU/WAU/MAU from a small histogram
-- ===========================================================================
-- For every actor's active day x, the gap to that actor's previous active day (1..30, or
-- 31 for "none within 30 days"). An actor is counted in an s-day window ending on day d
-- through its first active day in the window, which is the x in [d-s+1, d] whose previous
-- day falls before the window: so x counts on days [x + max(0, s - gap), x + s - 1].
-- Summing those +1/-1 changes per day gives DAU (s=1), WAU (7) and MAU (30) of every day
-- exactly, from at most 31 rows per day (shared/analytics/active-users.ts), where the
-- actor days themselves are thousands per day.
--
-- private.active_actor_days keeps each actor's days (the trigger's own copy, so it does
-- not depend on when event_actor_days is maintained) to find an added day's previous and
-- next days. A late day between two known days changes the next day's gap: -1 at its old
-- gap, +1 at its new one. Counts are striped by connection like event_counts, so a row of
-- one shard may be negative; only sums over shards mean anything.
create table private.active_actor_days (
  org_id uuid not null references public.organizations (id) on delete cascade,
  actor_id text collate "C" not null,
  day date not null,
  primary key (org_id, actor_id, day)
) with (fillfactor = 80);
alter table private.active_actor_days enable row level security;
revoke all on private.active_actor_days from anon, authenticated, service_role;

create table public.active_actor_gaps (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  gap smallint not null check (gap between 1 and 31),
  shard smallint not null default 0,
  actors integer not null,
  primary key (org_id, day, gap, shard)
) with (fillfactor = 70);
alter table public.active_actor_gaps enable row level security;
revoke all on public.active_actor_gaps from anon, authenticated, service_role;

-- ===========================================================================
-- The trigger
-- ===========================================================================
-- Runs once per insert statement over the rows actually inserted (`new_events`), so a
-- retried batch (duplicates skipped by the events primary key) adds nothing. Each part
-- aggregates the batch first and writes in sorted order, so concurrent batches lock rows
-- alike. A shared advisory lock per organization lets a rebuild (below) wait for batches in
-- flight and hold new ones back while it re-derives the organization.
create function private.roll_up_event_details() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  org uuid;
  stripe smallint := (pg_backend_pid() % 16)::smallint;
  added_orgs uuid[];
  added_actors text[];
  added_days date[];
begin
  for org in select distinct org_id from new_events order by 1 loop
    perform pg_advisory_xact_lock_shared(private.detail_rollup_lock(org));
  end loop;

  -- Property sets of days not yet overflowed; then the days' row counts and the bound.
  with batch as (
    select e.org_id, e.name, (e.occurred_at at time zone o.timezone)::date as day,
           md5(e.properties::text)::uuid as set_key, e.properties, count(*) as events
    from new_events e join public.organizations o on o.id = e.org_id
    group by 1, 2, 3, 4, 5
  ), open as (
    select b.* from batch b
    where not exists (select 1 from public.event_property_days d
                      where d.org_id = b.org_id and d.name = b.name and d.day = b.day
                        and d.overflowed)
  ), upserted as (
    insert into public.event_property_sets
      (org_id, name, day, set_key, shard, properties, events)
    select org_id, name, day, set_key, stripe, properties, events from open
    order by 1, 2, 3, 4
    on conflict (org_id, name, day, set_key, shard)
    do update set events = public.event_property_sets.events + excluded.events
    returning org_id, name, day, (xmax = 0) as inserted
  )
  insert into public.event_property_days as d (org_id, name, day, set_rows, overflowed)
  select org_id, name, day, count(*), count(*) > private.property_set_bound()
  from upserted where inserted
  group by 1, 2, 3
  order by 1, 2, 3
  on conflict (org_id, name, day) do update set
    set_rows = d.set_rows + excluded.set_rows,
    overflowed = d.overflowed or d.set_rows + excluded.set_rows > private.property_set_bound();

  -- Actor days this batch adds.
  with batch as (
    select distinct e.org_id, e.actor_id, (e.occurred_at at time zone o.timezone)::date as day
    from new_events e join public.organizations o on o.id = e.org_id
    where e.actor_id is not null
  ), added as (
    insert into private.active_actor_days (org_id, actor_id, day)
    select org_id, actor_id, day from batch order by 1, 2, 3
    on conflict do nothing
    returning org_id, actor_id, day
  )
  select array_agg(org_id order by org_id, actor_id, day),
         array_agg(actor_id order by org_id, actor_id, day),
         array_agg(day order by org_id, actor_id, day)
  into added_orgs, added_actors, added_days
  from added;
  if added_orgs is null then
    return null;
  end if;

  -- Concurrent batches adding days of one actor would each miss the other's day as a
  -- neighbour: one at a time per actor, and the statement below (a new snapshot) sees the
  -- days committed before the lock was granted. Actors share 64 lock stripes per
  -- organization: a lock per actor would let one backfill statement of 50k actors exhaust
  -- the shared lock table ("out of shared memory"), which max_locks_per_transaction sizes
  -- for tens of locks per transaction. Sorted, so concurrent batches cannot deadlock.
  perform pg_advisory_xact_lock(private.detail_rollup_lock(a.org_id) # a.stripe::bigint)
  from (select distinct org_id, 1 + (hashtext(actor_id) & 63) as stripe
        from unnest(added_orgs, added_actors) as t (org_id, actor_id)
        order by 1, 2) as a;

  -- The added days with each one's nearest days before and after (two index probes): in
  -- that pool, sorted per actor, an added day's predecessor is its previous day now; a
  -- known day right after an added day (a follower) lost its old previous day, which is the
  -- last known day before it in the pool. Set-based, so a backfill batch of many days
  -- costs a sort, not a scan per day.
  with added as (
    select * from unnest(added_orgs, added_actors, added_days) as t (org_id, actor_id, day)
  ), pool as (
    select org_id, actor_id, day, bool_or(added) as added
    from (
      select org_id, actor_id, day, true as added from added
      union all
      select a.org_id, a.actor_id, n.day, false
      from added a
      cross join lateral (
        (select x.day from private.active_actor_days x
         where x.org_id = a.org_id and x.actor_id = a.actor_id and x.day < a.day
         order by x.day desc limit 1)
        union all
        (select x.day from private.active_actor_days x
         where x.org_id = a.org_id and x.actor_id = a.actor_id and x.day > a.day
         order by x.day limit 1)
      ) as n
    ) as days
    group by 1, 2, 3
  ), ordered as (
    select org_id, day, added,
           lag(day) over w as prev,
           lag(added) over w as follows_added,
           max(day) filter (where not added) over (w rows between unbounded preceding
                                                     and 1 preceding) as old_prev
    from pool
    window w as (partition by org_id, actor_id order by day)
  ), changes as (
    select org_id, day, least(coalesce(day - prev, 31), 31) as gap, 1 as actors
    from ordered where added or follows_added
    union all
    select org_id, day, least(coalesce(day - old_prev, 31), 31), -1
    from ordered where not added and follows_added
  )
  insert into public.active_actor_gaps as g (org_id, day, gap, shard, actors)
  select org_id, day, gap, stripe, sum(actors) from changes
  group by 1, 2, 3
  having sum(actors) <> 0
  order by 1, 2, 3
  on conflict (org_id, day, gap, shard) do update set actors = g.actors + excluded.actors;
  return null;
end
$$;
revoke all on function private.roll_up_event_details() from public, anon, authenticated, service_role;

-- The advisory lock key of one organization's detail rollups.
create function private.detail_rollup_lock(org uuid) returns bigint
language sql immutable
set search_path = ''
as $$ select hashtextextended('lytics.event_details:' || org::text, 0) $$;
revoke all on function private.detail_rollup_lock(uuid) from public, anon, authenticated, service_role;

create trigger events_roll_up_details after insert on public.events
  referencing new table as new_events
  for each statement execute function private.roll_up_event_details();

-- ===========================================================================
-- Rebuilds: a timezone change (and this migration's backfill)
-- ===========================================================================
-- Days are the organization's calendar days, so a timezone change re-derives them from the
-- raw events, as private.rebuild_actor_days does for event_actor_days. Until the rebuild
-- has run, readers see the organization queued (private.detail_rollups_ready) and read raw
-- events, so no answer mixes two calendars. The rebuild holds the organization's advisory
-- lock: batches in flight finish first, new ones wait (ingestion of that organization
-- pauses for the rebuild, seconds per million events; timezone changes are rare).
create table private.detail_rollup_rebuilds (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  requested_at timestamptz not null default now()
);
alter table private.detail_rollup_rebuilds enable row level security;
revoke all on private.detail_rollup_rebuilds from anon, authenticated, service_role;

create function private.queue_detail_rollup_rebuild() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into private.detail_rollup_rebuilds (org_id) values (new.id)
  on conflict (org_id) do update set requested_at = now();
  return null;
end
$$;
revoke all on function private.queue_detail_rollup_rebuild() from public, anon, authenticated, service_role;

create trigger organizations_timezone_changed_details
  after update of timezone on public.organizations
  for each row when (old.timezone is distinct from new.timezone)
  execute function private.queue_detail_rollup_rebuild();

-- True when the organization's detail rollups follow its current timezone (no rebuild
-- queued). The caller reads raw events otherwise.
create function private.detail_rollups_ready(org uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select not exists (select 1 from private.detail_rollup_rebuilds r where r.org_id = org)
$$;
revoke all on function private.detail_rollups_ready(uuid) from public, anon, authenticated, service_role;
grant execute on function private.detail_rollups_ready(uuid) to authenticated, service_role;

-- Re-derives one organization's detail rollups from its raw events in its current timezone
-- and returns the number of events it read.
create function private.rebuild_event_details(org uuid)
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
  return counted;
end
$$;
revoke all on function private.rebuild_event_details(uuid) from public, anon, authenticated, service_role;

-- Rebuilds every queued organization and returns how many. A zone changed again while its
-- rebuild ran stays queued (requested_at moved) for the next run.
create function private.rebuild_queued_event_details()
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  job record;
  rebuilt integer := 0;
begin
  for job in
    select org_id, requested_at from private.detail_rollup_rebuilds order by requested_at
    for update skip locked
  loop
    perform private.rebuild_event_details(job.org_id);
    delete from private.detail_rollup_rebuilds
    where org_id = job.org_id and requested_at = job.requested_at;
    rebuilt := rebuilt + 1;
  end loop;
  return rebuilt;
end
$$;
revoke all on function private.rebuild_queued_event_details()
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-event-detail-rebuilds', '* * * * *',
                     'select private.rebuild_queued_event_details()');

-- ===========================================================================
-- Folding stripes of settled days
-- ===========================================================================
-- Stripes multiply today's rows by up to 16; days older than two days (late events still
-- land, into their own stripes, and are folded on the next run) are merged into stripe 0.
-- Sums are unchanged. set_rows is left as counted: it only ever over-counts, so a folded
-- day reaches the bound no later than it would have.
create function private.fold_event_detail_shards(settled integer default 2)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  folded integer;
  moved_gaps integer;
begin
  with moved as (
    delete from public.event_property_sets
    where shard <> 0 and day < current_date - settled
    returning org_id, name, day, set_key, properties, events
  ), sums as (
    select org_id, name, day, set_key, min(properties::text)::jsonb as properties,
           sum(events) as events
    from moved group by 1, 2, 3, 4
  ), merged as (
    insert into public.event_property_sets as s
      (org_id, name, day, set_key, shard, properties, events)
    select org_id, name, day, set_key, 0, properties, events from sums
    order by 1, 2, 3, 4
    on conflict (org_id, name, day, set_key, shard)
    do update set events = s.events + excluded.events
  )
  select count(*) into folded from moved;

  with moved as (
    delete from public.active_actor_gaps
    where shard <> 0 and day < current_date - settled
    returning org_id, day, gap, actors
  ), sums as (
    select org_id, day, gap, sum(actors)::integer as actors from moved group by 1, 2, 3
  ), merged as (
    insert into public.active_actor_gaps as g (org_id, day, gap, shard, actors)
    select org_id, day, gap, 0, actors from sums
    order by 1, 2, 3
    on conflict (org_id, day, gap, shard) do update set actors = g.actors + excluded.actors
  )
  select count(*) into moved_gaps from moved;
  return folded + moved_gaps;
end
$$;
revoke all on function private.fold_event_detail_shards(integer)
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-event-detail-fold', '*/10 * * * *',
                     'select private.fold_event_detail_shards()');

-- ===========================================================================
-- Grants, policies, and the backfill of existing events
-- ===========================================================================
grant select on public.event_property_sets, public.event_property_days,
  public.active_actor_gaps to authenticated;
grant select, insert, update, delete on public.event_property_sets, public.event_property_days,
  public.active_actor_gaps to service_role;

create policy "Members can read their organization's property sets" on public.event_property_sets
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can read their organization's property days" on public.event_property_days
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can read their organization's active-actor gaps" on public.active_actor_gaps
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

select private.rebuild_event_details(o.id) from public.organizations o order by o.id;
