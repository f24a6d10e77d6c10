-- Retires public.feature_actor_gaps (20261201000600), issue #11's write cost. Since
-- 20261201000800 feature usage reads only public.feature_actor_windows (windows of up to
-- 92 days, where the gap rows stopped at 31), yet every ingestion batch still upserted gap
-- rows, the timezone rebuild re-derived them and a cron job folded their stripes. Nothing
-- reads them, so this takes back that share of each batch's work:
--
-- * private.roll_up_feature_actors: 20261201000800's body without the `gap_rows` insert.
-- * private.rebuild_feature_actor_gaps: re-derives the actor days and the window rows, no
--   gap rows. The name is historical: private.rebuild_event_details (20261201000700, the
--   current definition) calls it, and renaming it would copy that whole body here to
--   change one line.
-- * The fold job `lytics-feature-actor-fold`, its function and the table (and with the
--   table its grants and policy) are dropped.
--
-- private.feature_actor_days stays: it is the trigger's neighbour lookup and the source of
-- the window rows' rebuild.
--
-- Migrations are append-only: change this with a new migration.

-- ===========================================================================
-- The fold job and its function
-- ===========================================================================
select cron.unschedule('lytics-feature-actor-fold');
drop function private.fold_feature_actor_shards(integer);

-- ===========================================================================
-- The trigger: 20261201000800's, without the gap rows
-- ===========================================================================
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
-- The timezone rebuild's part (historical name, see above)
-- ===========================================================================
-- Re-derives one organization's per-name actor days from its raw events in its current
-- timezone, then its window rows from them, under its detail-rollup lock (re-entrant: the
-- caller holds it). Returns the actor days it wrote.
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

  insert into private.feature_actor_days (org_id, name, actor_id, day)
  select distinct org, e.name, e.actor_id, (e.occurred_at at time zone tz)::date
  from public.events e where e.org_id = org and e.actor_id is not null
  order by 2, 3, 4;
  get diagnostics written = row_count;

  perform private.rebuild_feature_actor_windows(org);
  return written;
end
$$;
revoke all on function private.rebuild_feature_actor_gaps(uuid)
  from public, anon, authenticated, service_role;

-- ===========================================================================
-- The table
-- ===========================================================================
drop table public.feature_actor_gaps;
