-- Retention from a rollup (issue #11): how many of the actors first seen on a day (or in an
-- ISO week) were active on each later day (or week), kept exact at ingest, so
-- GET /dashboard/retention reads a few hundred cells instead of scanning every cohort
-- member's days (its cost grew with the cohorts' members: ~75 ms p95 for 8 weekly cohorts
-- at 10M events).
--
-- Two tables, because distinct actors per week cannot be summed from days:
--   retention_day_cells  (org, cohort_day, active_day) -> actors first seen on cohort_day
--                         and active on active_day: the daily matrix, day 1/7/30 of every
--                         cohort (a weekly cohort's day N sums its days' (d, d + N) cells)
--                         and cohort sizes (every actor is active on its first day: the
--                         (d, d) cell is the cohort of d).
--   retention_week_cells (org, cohort_week, active_week) -> actors first seen in the ISO
--                         week cohort_week (its Monday) and active in active_week.
--
-- Where the cells come from: private.active_actor_days, the detail rollups' own copy of
-- every actor's days in the organization's calendar (20261201000500). Its insert (ON
-- CONFLICT DO NOTHING) stores exactly the actor days an events batch adds, so a statement
-- trigger on it with a transition table sees precisely the new days, with no fourth copy of
-- actor days and no probe per event: a returning actor's known day costs nothing here. And
-- it is rebuilt, with the other detail rollups, by the one timezone rebuild queue
-- (private.detail_rollup_rebuilds): the retention cells follow the same readiness flag
-- (private.detail_rollups_ready), and until the rebuild has run the reader uses the
-- per-member query over event_actors and event_actor_days as before.
--
-- An actor's first day F is the earliest of its days (the day of its first event, as
-- event_actors.first_seen_day). For the days a batch adds to an actor:
--   * new actor: +1 on (F, x) for each day x, +1 on (week(F), W) for each week W;
--   * F unchanged: +1 on (F, x) for each added day; +1 on (week(F), W) for each added week
--     without a known day (one index probe per added week);
--   * F moved earlier (a late event): every known day moves to the new cohort, so the
--     actor's days are read (rare: only late events before an actor's first day): -1 on
--     (old F, x) and +1 on (new F, x) for each known day, and likewise for weeks.
-- Changes are summed per cell over the whole batch and written once per cell, in sorted
-- order, into this connection's stripe (as event_counts), folded into stripe 0 by pg_cron
-- once settled. A stripe's row may be negative; only sums over stripes mean anything.
--
-- Concurrency: batches adding days of one actor are serialized by the same 64 per-
-- organization lock stripes that roll_up_event_details takes (advisory locks are
-- re-entrant, taken in sorted order, so the two never deadlock), and the actor's known
-- days are read in a statement after the lock, which sees every batch committed before it.
--
-- ISO weeks are date_trunc('week', day::timestamp) (Mondays), written inline: a SQL helper
-- with `set search_path` is never inlined, and cost a function call per actor day.
--
-- Size: day cells grow as cohort days x later active days (at most ~67k rows for a year of
-- history, growing with its square), week cells ~1.4k for a year; a default request reads
-- under a thousand of them through the primary keys (index-only).
--
-- Migrations are append-only: change this with a new migration.

create table public.retention_day_cells (
  org_id uuid not null references public.organizations (id) on delete cascade,
  cohort_day date not null,
  active_day date not null,
  shard smallint not null default 0,
  actors integer not null,
  -- `include (actors)`: the reader's probes are index-only scans.
  primary key (org_id, cohort_day, active_day, shard) include (actors)
) with (fillfactor = 70);
alter table public.retention_day_cells enable row level security;
revoke all on public.retention_day_cells from anon, authenticated, service_role;

create table public.retention_week_cells (
  org_id uuid not null references public.organizations (id) on delete cascade,
  cohort_week date not null,
  active_week date not null,
  shard smallint not null default 0,
  actors integer not null,
  primary key (org_id, cohort_week, active_week, shard) include (actors)
) with (fillfactor = 70);
alter table public.retention_week_cells enable row level security;
revoke all on public.retention_week_cells from anon, authenticated, service_role;

-- ===========================================================================
-- The trigger, on the actor days the detail rollups add
-- ===========================================================================
create function private.roll_up_retention() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  stripe smallint := (pg_backend_pid() % 16)::smallint;
begin
  -- The actor lock stripes of roll_up_event_details (which takes them again, re-entrant,
  -- right after this trigger): one batch at a time per actor.
  perform pg_advisory_xact_lock(private.detail_rollup_lock(a.org_id) # a.stripe::bigint)
  from (select distinct org_id, 1 + (hashtext(actor_id) & 63) as stripe
        from added_days order by 1, 2) as a;

  with actors as (
    select org_id, actor_id, min(day) as first_added, array_agg(day) as days
    from added_days group by 1, 2
  ), state as (
    -- The actor's first known day (before this batch). An actor adding a few days: its
    -- first day not among them, one index probe (which passes at most those few). Many
    -- (a backfill, a rebuild's re-insert of every day): a known day before the batch's
    -- first, else, if the actor has more days than the batch added, the first known day
    -- after it; the count, not a test of every day against the batch's, keeps it linear.
    select a.*,
           case when cardinality(a.days) <= 8 then
             (select x.day from private.active_actor_days x
              where x.org_id = a.org_id and x.actor_id = a.actor_id and x.day <> all (a.days)
              order by x.day limit 1)
           else coalesce(
             (select x.day from private.active_actor_days x
              where x.org_id = a.org_id and x.actor_id = a.actor_id and x.day < a.first_added
              order by x.day limit 1),
             case when (select count(*) from private.active_actor_days x
                        where x.org_id = a.org_id and x.actor_id = a.actor_id)
                       > cardinality(a.days)
             then (select x.day from private.active_actor_days x
                   where x.org_id = a.org_id and x.actor_id = a.actor_id
                     and x.day > a.first_added and x.day <> all (a.days)
                   order by x.day limit 1) end) end as old_first
    from actors a
  ), days as (
    -- The added days; for an actor whose first day moved, its known days too.
    select s.org_id, s.actor_id, d.day, true as added, s.old_first,
           least(s.first_added, coalesce(s.old_first, s.first_added)) as first_day,
           coalesce(s.first_added < s.old_first, false) as moved
    from state s cross join unnest(s.days) as d (day)
    union all
    select s.org_id, s.actor_id, x.day, false, s.old_first, s.first_added, true
    from state s
    join private.active_actor_days x on x.org_id = s.org_id and x.actor_id = s.actor_id
    where s.first_added < s.old_first and x.day <> all (s.days)
  ), weeks as (
    select org_id, actor_id, date_trunc('week', day::timestamp)::date as week,
           min(old_first) as old_first, min(first_day) as first_day, bool_or(moved) as moved,
           bool_or(not added) as known
    from days group by 1, 2, 3
  ), day_changes as (
    select org_id, first_day as cohort, day as active, 1 as actors from days
    union all
    select org_id, old_first, day, -1 from days where not added
  ), week_changes as (
    select w.org_id, date_trunc('week', w.first_day::timestamp)::date as cohort, w.week as active,
           1 as actors
    from weeks w join state s on s.org_id = w.org_id and s.actor_id = w.actor_id
    -- An added week is new to an actor whose first day stays unless it has a known day.
    where w.moved or w.old_first is null
       or not exists (select 1 from private.active_actor_days x
                      where x.org_id = w.org_id and x.actor_id = w.actor_id
                        and x.day between w.week and w.week + 6
                        and x.day <> all (s.days))
    union all
    select org_id, date_trunc('week', old_first::timestamp)::date, week, -1
    from weeks where moved and known
  ), day_cells as (
    insert into public.retention_day_cells as c (org_id, cohort_day, active_day, shard, actors)
    select org_id, cohort, active, stripe, sum(actors) from day_changes
    group by 1, 2, 3
    having sum(actors) <> 0
    order by 1, 2, 3
    on conflict (org_id, cohort_day, active_day, shard)
    do update set actors = c.actors + excluded.actors
  )
  insert into public.retention_week_cells as c (org_id, cohort_week, active_week, shard, actors)
  select org_id, cohort, active, stripe, sum(actors) from week_changes
  group by 1, 2, 3
  having sum(actors) <> 0
  order by 1, 2, 3
  on conflict (org_id, cohort_week, active_week, shard)
  do update set actors = c.actors + excluded.actors;
  return null;
end
$$;
revoke all on function private.roll_up_retention() from public, anon, authenticated, service_role;

create trigger active_actor_days_roll_up_retention after insert on private.active_actor_days
  referencing new table as added_days
  for each statement execute function private.roll_up_retention();

-- ===========================================================================
-- Rebuilds: a timezone change, and this migration's backfill
-- ===========================================================================
-- The cells of one organization from its actor days, in one pass: this migration's
-- backfill (a timezone rebuild goes through the triggers, below). Returns the day cells
-- written.
create function private.rebuild_retention_cells(org uuid)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  written bigint;
begin
  perform pg_advisory_xact_lock(private.detail_rollup_lock(org));
  delete from public.retention_day_cells where org_id = org;
  delete from public.retention_week_cells where org_id = org;

  create temp table retention_actor_days on commit drop as
  select day, min(day) over (partition by actor_id) as first_day, actor_id
  from private.active_actor_days where org_id = org;

  insert into public.retention_day_cells (org_id, cohort_day, active_day, shard, actors)
  select org, first_day, day, 0, count(*) from retention_actor_days
  group by 2, 3 order by 2, 3;
  get diagnostics written = row_count;

  insert into public.retention_week_cells (org_id, cohort_week, active_week, shard, actors)
  select org, cohort, active, 0, count(*)
  from (select distinct actor_id, date_trunc('week', first_day::timestamp)::date as cohort,
               date_trunc('week', day::timestamp)::date as active
        from retention_actor_days) as w
  group by 2, 3 order by 2, 3;
  drop table retention_actor_days;
  return written;
end
$$;
revoke all on function private.rebuild_retention_cells(uuid)
  from public, anon, authenticated, service_role;

-- Actor days are only ever deleted an organization at a time: by the timezone rebuild
-- (private.rebuild_event_details, queued by 20261201000500's trigger), which deletes and
-- re-inserts them all, and by the organization's deletion. So a delete clears the cells of
-- the organizations it touched, and the rebuild's re-insert derives them afresh in the new
-- zone through the trigger above. The retention cells thus ride on the one rebuild queue
-- and readiness flag without another copy of rebuild_event_details' body here.
create function private.clear_retention_cells() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  orgs uuid[];
begin
  select array_agg(distinct org_id) into orgs from removed_days;
  if orgs is not null then
    delete from public.retention_day_cells where org_id = any (orgs);
    delete from public.retention_week_cells where org_id = any (orgs);
  end if;
  return null;
end
$$;
revoke all on function private.clear_retention_cells() from public, anon, authenticated, service_role;

create trigger active_actor_days_clear_retention after delete on private.active_actor_days
  referencing old table as removed_days
  for each statement execute function private.clear_retention_cells();

-- ===========================================================================
-- Folding stripes of settled days
-- ===========================================================================
-- As fold_event_detail_shards: cells whose active day is older than `settled` days are
-- merged into stripe 0, sums unchanged (a late event still lands in its own stripe and is
-- folded on the next run).
create function private.fold_retention_shards(settled integer default 2)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  moved_days integer;
  moved_weeks integer;
begin
  with moved as (
    delete from public.retention_day_cells
    where shard <> 0 and active_day < current_date - settled
    returning org_id, cohort_day, active_day, actors
  ), sums as (
    select org_id, cohort_day, active_day, sum(actors)::integer as actors from moved
    group by 1, 2, 3
  ), merged as (
    insert into public.retention_day_cells as c (org_id, cohort_day, active_day, shard, actors)
    select org_id, cohort_day, active_day, 0, actors from sums
    order by 1, 2, 3
    on conflict (org_id, cohort_day, active_day, shard)
    do update set actors = c.actors + excluded.actors
  )
  select count(*) into moved_days from moved;

  -- A week settles once its Sunday is older than `settled` days.
  with moved as (
    delete from public.retention_week_cells
    where shard <> 0 and active_week + 6 < current_date - settled
    returning org_id, cohort_week, active_week, actors
  ), sums as (
    select org_id, cohort_week, active_week, sum(actors)::integer as actors from moved
    group by 1, 2, 3
  ), merged as (
    insert into public.retention_week_cells as c
      (org_id, cohort_week, active_week, shard, actors)
    select org_id, cohort_week, active_week, 0, actors from sums
    order by 1, 2, 3
    on conflict (org_id, cohort_week, active_week, shard)
    do update set actors = c.actors + excluded.actors
  )
  select count(*) into moved_weeks from moved;
  return moved_days + moved_weeks;
end
$$;
revoke all on function private.fold_retention_shards(integer)
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-retention-fold', '*/10 * * * *',
                     'select private.fold_retention_shards()');

-- ===========================================================================
-- Grants, policies, and the backfill of existing actor days
-- ===========================================================================
grant select on public.retention_day_cells, public.retention_week_cells to authenticated;
grant select, insert, update, delete on public.retention_day_cells, public.retention_week_cells
  to service_role;

create policy "Members can read their organization's retention day cells"
  on public.retention_day_cells
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can read their organization's retention week cells"
  on public.retention_week_cells
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

select private.rebuild_retention_cells(o.id) from public.organizations o order by o.id;
