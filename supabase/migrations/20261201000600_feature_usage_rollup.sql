-- Feature usage's distinct actors per event name from a rollup (issue #11): the
-- per-event-name version of active_actor_gaps (20261201000500).
--
-- For every (actor, event name, active day x) of that name, the gap to the actor's previous
-- active day of the same name (1..30, or 31 for "none within 30 days"). An actor of a name
-- is counted in a window [a, b] through its first day of that name in the window: the x
-- whose previous day of the name falls before a, i.e. gap > x - a. So for windows of at
-- most 31 days (x - a <= 30, and 31 means a previous day 31 or more days back, or none):
--
--   distinct actors of name over [a, b] = sum over d in [a, b] of actors(d, name, gap > d - a)
--
-- which is the s-day window of active_actor_gaps' derivation read at its last day, with
-- s = b - a + 1 (shared/analytics/feature-usage.ts reads it). Exact; at most 31 rows per
-- (day, name), where the raw events of a 28-day window are hundreds of thousands.
--
-- Why its own statement trigger rather than a redefined private.roll_up_event_details:
-- the parts share nothing but the batch (this one keys days by name, and needs its own
-- neighbour copy), so one more trigger costs one more pass over the transition table of
-- a batch, while a redefinition would copy 150 lines of that function into this migration
-- to change none of them. It takes the same per-organization shared advisory lock, so the
-- timezone rebuild (which now also rebuilds this rollup) waits for and holds back its
-- batches the same way. It runs after events_roll_up_details (statement triggers fire in
-- name order), so the actor lock stripes below, a key range of their own, are always
-- taken after that trigger's: concurrent batches cannot deadlock across the two.
--
-- Days are the organization's calendar days; another timezone, a window longer than 31
-- days or a queued rebuild read raw events as before (exact either way).
--
-- Migrations are append-only: change this with a new migration.

-- Each actor's active days per event name (the trigger's neighbour lookup; never read by
-- the API).
create table private.feature_actor_days (
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text collate "C" not null,
  actor_id text collate "C" not null,
  day date not null,
  primary key (org_id, name, actor_id, day)
) with (fillfactor = 80);
alter table private.feature_actor_days enable row level security;
revoke all on private.feature_actor_days from anon, authenticated, service_role;

-- Actors per (organization, event name, day) by gap to their previous day of that name.
-- Keyed name first: the reader asks for one page of names over a day range. The key
-- includes `actors` so that read is an index-only scan (a 28-day page of 20 names touched
-- ~140 buffers instead of ~2,000 heap and index pages at 1M events); the price is that a
-- batch's increment of today's rows is not a HOT update, a few rows per name a batch,
-- which the fold and vacuum keep small. Striped by
-- writing connection like active_actor_gaps (a stripe's row may be negative; only sums
-- over stripes mean anything); private.fold_feature_actor_shards merges settled days.
create table public.feature_actor_gaps (
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text collate "C" not null,
  day date not null,
  gap smallint not null check (gap between 1 and 31),
  shard smallint not null default 0,
  actors integer not null,
  primary key (org_id, name, day, gap, shard) include (actors)
) with (fillfactor = 70);
alter table public.feature_actor_gaps enable row level security;
revoke all on public.feature_actor_gaps from anon, authenticated, service_role;

-- ===========================================================================
-- The trigger
-- ===========================================================================
-- As private.roll_up_event_details' actor part, per event name: runs once per insert
-- statement over the rows actually stored (a retried batch adds nothing), writes in
-- sorted order, and re-links the next known day when a late day lands between two.
create function private.roll_up_feature_actors() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  org uuid;
  stripe smallint := (pg_backend_pid() % 16)::smallint;
  added_orgs uuid[];
  added_names text[];
  added_actors text[];
  added_days date[];
begin
  for org in select distinct org_id from new_events order by 1 loop
    perform pg_advisory_xact_lock_shared(private.detail_rollup_lock(org));
  end loop;

  with batch as (
    select distinct e.org_id, e.name, e.actor_id,
           (e.occurred_at at time zone o.timezone)::date as day
    from new_events e join public.organizations o on o.id = e.org_id
    where e.actor_id is not null
  ), added as (
    insert into private.feature_actor_days (org_id, name, actor_id, day)
    select org_id, name, actor_id, day from batch order by 1, 2, 3, 4
    on conflict do nothing
    returning org_id, name, actor_id, day
  )
  select array_agg(org_id order by org_id, name, actor_id, day),
         array_agg(name order by org_id, name, actor_id, day),
         array_agg(actor_id order by org_id, name, actor_id, day),
         array_agg(day order by org_id, name, actor_id, day)
  into added_orgs, added_names, added_actors, added_days
  from added;
  if added_orgs is null then
    return null;
  end if;

  -- One batch at a time per (actor, name), on 64 stripes per organization numbered 65..128
  -- (events_roll_up_details uses 1..64), sorted: see that trigger for why stripes.
  perform pg_advisory_xact_lock(private.detail_rollup_lock(a.org_id) # a.stripe::bigint)
  from (select distinct org_id, 65 + (hashtext(name || '/' || actor_id) & 63) as stripe
        from unnest(added_orgs, added_names, added_actors) as t (org_id, name, actor_id)
        order by 1, 2) as a;

  -- The added days with each one's nearest known days of the same name before and after;
  -- the gaps follow from that pool as in roll_up_event_details.
  with added as (
    select * from unnest(added_orgs, added_names, added_actors, added_days)
      as t (org_id, name, actor_id, day)
  ), pool as (
    select org_id, name, actor_id, day, bool_or(added) as added
    from (
      select org_id, name, actor_id, day, true as added from added
      union all
      select a.org_id, a.name, a.actor_id, n.day, false
      from added a
      cross join lateral (
        (select x.day from private.feature_actor_days x
         where x.org_id = a.org_id and x.name = a.name and x.actor_id = a.actor_id
           and x.day < a.day
         order by x.day desc limit 1)
        union all
        (select x.day from private.feature_actor_days x
         where x.org_id = a.org_id and x.name = a.name and x.actor_id = a.actor_id
           and x.day > a.day
         order by x.day limit 1)
      ) as n
    ) as days
    group by 1, 2, 3, 4
  ), ordered as (
    select org_id, name, day, added,
           lag(day) over w as prev,
           lag(added) over w as follows_added,
           max(day) filter (where not added) over (w rows between unbounded preceding
                                                     and 1 preceding) as old_prev
    from pool
    window w as (partition by org_id, name, actor_id order by day)
  ), changes as (
    select org_id, name, day, least(coalesce(day - prev, 31), 31) as gap, 1 as actors
    from ordered where added or follows_added
    union all
    select org_id, name, day, least(coalesce(day - old_prev, 31), 31), -1
    from ordered where not added and follows_added
  )
  insert into public.feature_actor_gaps as g (org_id, name, day, gap, shard, actors)
  select org_id, name, day, gap, stripe, sum(actors) from changes
  group by 1, 2, 3, 4
  having sum(actors) <> 0
  order by 1, 2, 3, 4
  on conflict (org_id, name, day, gap, shard) do update set actors = g.actors + excluded.actors;
  return null;
end
$$;
revoke all on function private.roll_up_feature_actors() from public, anon, authenticated, service_role;

create trigger events_roll_up_feature_actors after insert on public.events
  referencing new table as new_events
  for each statement execute function private.roll_up_feature_actors();

-- ===========================================================================
-- Rebuilds: a timezone change, and this migration's backfill
-- ===========================================================================
-- Re-derives one organization's feature actor gaps from its raw events in its current
-- timezone, under the organization's detail-rollup lock (re-entrant when the caller holds
-- it). Returns the actor days it wrote.
create function private.rebuild_feature_actor_gaps(org uuid)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  tz text;
  written bigint;
begin
  perform pg_advisory_xact_lock(private.detail_rollup_lock(org));
  select o.timezone into tz from public.organizations o where o.id = org;
  if tz is null then
    return 0;
  end if;
  delete from private.feature_actor_days where org_id = org;
  delete from public.feature_actor_gaps where org_id = org;

  insert into private.feature_actor_days (org_id, name, actor_id, day)
  select distinct org, e.name, e.actor_id, (e.occurred_at at time zone tz)::date
  from public.events e where e.org_id = org and e.actor_id is not null
  order by 2, 3, 4;
  get diagnostics written = row_count;

  insert into public.feature_actor_gaps (org_id, name, day, gap, shard, actors)
  select org, name, day, least(coalesce(day - prev, 31), 31), 0, count(*)
  from (
    select name, day, lag(day) over (partition by name, actor_id order by day) as prev
    from private.feature_actor_days where org_id = org
  ) as d
  group by 2, 3, 4;
  return written;
end
$$;
revoke all on function private.rebuild_feature_actor_gaps(uuid)
  from public, anon, authenticated, service_role;

-- The timezone rebuild (queued by 20261201000500's trigger, run by its cron job) now also
-- rebuilds the feature actor gaps: the body below is that migration's, unchanged, with one
-- call added before the return, so one queue and one readiness flag cover every detail
-- rollup.
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
  return counted;
end
$$;
revoke all on function private.rebuild_event_details(uuid) from public, anon, authenticated, service_role;

-- ===========================================================================
-- Folding stripes of settled days
-- ===========================================================================
-- As fold_event_detail_shards: days older than `settled` days are merged into stripe 0,
-- sums unchanged. Its own function and job rather than a redefinition of that one, for
-- the same reason as the trigger.
create function private.fold_feature_actor_shards(settled integer default 2)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  moved_rows integer;
begin
  with moved as (
    delete from public.feature_actor_gaps
    where shard <> 0 and day < current_date - settled
    returning org_id, name, day, gap, actors
  ), sums as (
    select org_id, name, day, gap, sum(actors)::integer as actors from moved
    group by 1, 2, 3, 4
  ), merged as (
    insert into public.feature_actor_gaps as g (org_id, name, day, gap, shard, actors)
    select org_id, name, day, gap, 0, actors from sums
    order by 1, 2, 3, 4
    on conflict (org_id, name, day, gap, shard) do update set actors = g.actors + excluded.actors
  )
  select count(*) into moved_rows from moved;
  return moved_rows;
end
$$;
revoke all on function private.fold_feature_actor_shards(integer)
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-feature-actor-fold', '*/10 * * * *',
                     'select private.fold_feature_actor_shards()');

-- ===========================================================================
-- Grants, policy, and the backfill of existing events
-- ===========================================================================
grant select on public.feature_actor_gaps to authenticated;
grant select, insert, update, delete on public.feature_actor_gaps to service_role;

create policy "Members can read their organization's feature actor gaps"
  on public.feature_actor_gaps
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

select private.rebuild_feature_actor_gaps(o.id) from public.organizations o order by o.id;
