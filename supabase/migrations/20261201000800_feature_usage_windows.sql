-- Feature usage's distinct actors per name for windows of up to 92 days from a rollup
-- (issue #11). feature_actor_gaps (20261201000600) answers windows of up to 31 days; a 90-day
-- window read raw events (2.8M events for the bench organization's 20 busiest names, past
-- the 3 s budget at 10M events, so `actors` came back null).
--
-- The same derivation as 20261201000600: an actor of a name is counted in the window
-- [a, b] through its first active day x of the name in the window, the x whose gap to its
-- previous active day of the name exceeds x - a. So
--
--   distinct actors of name over [a, b] = sum over x in [a, b] of actors(x, gap > x - a)
--
-- Windows of up to 92 days need gaps exact up to 91 (92 = "92 or more, or none"). Stored
-- as feature_actor_gaps stores them, one row per gap, the reader would sum ~150k rows for
-- 90 days of 20 names (the bench organization has ~40 distinct gaps per name and day);
-- so each (name, day) row holds the answer for every offset at once: `beyond[k + 1]` is the
-- number of actors active that day whose gap exceeds k (k = 0..91), and the reader takes
-- one element per row: 20 names x 90 days = 1,800 rows, under a millisecond of summing.
--
-- Kept by private.roll_up_feature_actors, redefined below with the same neighbour lookup
-- and the same changes (+1 at an added day's gap, -1/+1 at a follower's old/new gap), now
-- also written here as suffix sums per (name, day). Striped by writing connection, folded
-- by pg_cron, rebuilt with the other detail rollups on a timezone change (one queue, one
-- readiness flag), cascaded on organization delete; backfilled below from
-- private.feature_actor_days. Windows longer than 92 days, another timezone or a queued
-- rebuild still count raw events under the time budget. feature_actor_gaps is still
-- written (its tests and grants stay as they are) but no longer read; retiring it would
-- take back its share of the trigger's write cost.
--
-- Migrations are append-only: change this with a new migration.

create table public.feature_actor_windows (
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text collate "C" not null,
  day date not null,
  shard smallint not null default 0,
  beyond integer[] not null check (cardinality(beyond) = 92),
  primary key (org_id, name, day, shard)
) with (fillfactor = 70);
alter table public.feature_actor_windows enable row level security;
revoke all on public.feature_actor_windows from anon, authenticated, service_role;

-- Element-wise sum of two equally long count arrays (an upsert adds a batch's deltas).
create function private.add_counts(a integer[], b integer[]) returns integer[]
language sql immutable strict parallel safe
set search_path = ''
as $$
  select array_agg(x + y order by i) from unnest(a, b) with ordinality as t (x, y, i)
$$;
revoke all on function private.add_counts(integer[], integer[])
  from public, anon, authenticated, service_role;

-- ===========================================================================
-- The trigger: 20261201000600's, with the changes also written as suffix sums
-- ===========================================================================
-- Unchanged up to `changes`, whose gaps are now exact (null: no previous day); the gap rows
-- cap them at 31 as before, the window rows at 92.
create or replace function private.roll_up_feature_actors() returns trigger
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

  perform pg_advisory_xact_lock(private.detail_rollup_lock(a.org_id) # a.stripe::bigint)
  from (select distinct org_id, 65 + (hashtext(name || '/' || actor_id) & 63) as stripe
        from unnest(added_orgs, added_names, added_actors) as t (org_id, name, actor_id)
        order by 1, 2) as a;

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
    select org_id, name, day, day - prev as gap, 1 as actors
    from ordered where added or follows_added
    union all
    select org_id, name, day, day - old_prev, -1
    from ordered where not added and follows_added
  ), gap_rows as (
    insert into public.feature_actor_gaps as g (org_id, name, day, gap, shard, actors)
    select org_id, name, day, least(coalesce(gap, 31), 31), stripe, sum(actors) from changes
    group by 1, 2, 3, 4
    having sum(actors) <> 0
    order by 1, 2, 3, 4
    on conflict (org_id, name, day, gap, shard) do update set actors = g.actors + excluded.actors
  ), histogram as (
    select org_id, name, day, least(coalesce(gap, 92), 92) as gap, sum(actors) as actors
    from changes group by 1, 2, 3, 4
    having sum(actors) <> 0
  ), deltas as (
    select org_id, name, day, array_agg(beyond order by g) as beyond
    from (
      select k.org_id, k.name, k.day, g.g,
             (sum(coalesce(h.actors, 0)) over (partition by k.org_id, k.name, k.day
                                               order by g.g desc))::integer as beyond
      from (select distinct org_id, name, day from histogram) as k
      cross join generate_series(1, 92) as g (g)
      left join histogram h
        on h.org_id = k.org_id and h.name = k.name and h.day = k.day and h.gap = g.g
    ) as s
    group by 1, 2, 3
  )
  insert into public.feature_actor_windows as w (org_id, name, day, shard, beyond)
  select org_id, name, day, stripe, beyond from deltas
  order by 1, 2, 3
  on conflict (org_id, name, day, shard)
  do update set beyond = private.add_counts(w.beyond, excluded.beyond);
  return null;
end
$$;
revoke all on function private.roll_up_feature_actors() from public, anon, authenticated, service_role;

-- ===========================================================================
-- Rebuilds: a timezone change, and this migration's backfill
-- ===========================================================================
-- Re-derives one organization's window rows from private.feature_actor_days (which
-- rebuild_feature_actor_gaps re-derives from raw events first), under its detail-rollup
-- lock. Returns the rows it wrote.
create function private.rebuild_feature_actor_windows(org uuid)
returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  written bigint;
begin
  perform pg_advisory_xact_lock(private.detail_rollup_lock(org));
  delete from public.feature_actor_windows where org_id = org;
  with histogram as (
    select name, day, least(coalesce(day - prev, 92), 92) as gap, count(*) as actors
    from (
      select name, day, lag(day) over (partition by name, actor_id order by day) as prev
      from private.feature_actor_days where org_id = org
    ) as d
    group by 1, 2, 3
  )
  insert into public.feature_actor_windows (org_id, name, day, shard, beyond)
  select org, name, day, 0, array_agg(beyond order by g)
  from (
    select k.name, k.day, g.g,
           (sum(coalesce(h.actors, 0)) over (partition by k.name, k.day
                                             order by g.g desc))::integer as beyond
    from (select distinct name, day from histogram) as k
    cross join generate_series(1, 92) as g (g)
    left join histogram h on h.name = k.name and h.day = k.day and h.gap = g.g
  ) as s
  group by name, day
  order by name, day;
  get diagnostics written = row_count;
  return written;
end
$$;
revoke all on function private.rebuild_feature_actor_windows(uuid)
  from public, anon, authenticated, service_role;

-- 20261201000600's rebuild, unchanged, with the window rows rebuilt after the actor days
-- (so the timezone rebuild, which calls it, covers them: one queue, one readiness flag).
create or replace function private.rebuild_feature_actor_gaps(org uuid)
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
  perform private.rebuild_feature_actor_windows(org);
  return written;
end
$$;
revoke all on function private.rebuild_feature_actor_gaps(uuid)
  from public, anon, authenticated, service_role;

-- ===========================================================================
-- Folding stripes of settled days
-- ===========================================================================
create function private.fold_feature_actor_windows(settled integer default 2)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  moved_rows integer;
begin
  with moved as (
    delete from public.feature_actor_windows
    where shard <> 0 and day < current_date - settled
    returning org_id, name, day, beyond
  ), sums as (
    select org_id, name, day, array_agg(total order by i) as beyond
    from (
      select m.org_id, m.name, m.day, u.i, sum(u.v)::integer as total
      from moved m cross join unnest(m.beyond) with ordinality as u (v, i)
      group by 1, 2, 3, 4
    ) as s
    group by 1, 2, 3
  ), merged as (
    insert into public.feature_actor_windows as w (org_id, name, day, shard, beyond)
    select org_id, name, day, 0, beyond from sums
    order by 1, 2, 3
    on conflict (org_id, name, day, shard)
    do update set beyond = private.add_counts(w.beyond, excluded.beyond)
  )
  select count(*) into moved_rows from moved;
  return moved_rows;
end
$$;
revoke all on function private.fold_feature_actor_windows(integer)
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-feature-window-fold', '*/10 * * * *',
                     'select private.fold_feature_actor_windows()');

-- ===========================================================================
-- Grants, policy, and the backfill
-- ===========================================================================
grant select on public.feature_actor_windows to authenticated;
grant select, insert, update, delete on public.feature_actor_windows to service_role;

create policy "Members can read their organization's feature actor windows"
  on public.feature_actor_windows
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

select private.rebuild_feature_actor_windows(o.id) from public.organizations o order by o.id;
