-- Ingestion does less work per event, so a 1,000-event batch costs Postgres less CPU.
--
-- 1. events.org_id loses its foreign key. A foreign key checks every row on its own (one
--    query and one lock per event: ~3 ms of ~33 ms per 1,000 events); the rollup trigger
--    now checks and locks each organization of a batch once, with the same effect: an
--    event cannot name a missing organization, and an organization being deleted waits
--    for batches in flight, then takes their events with it (organizations_delete_events).
-- 2. The actor rollups keep only what the dashboards read: which actor was active on which
--    day, and when each actor was first seen. A returning actor's batch then changes no
--    rollup row at all (no row lock, no new row version, no WAL), where the per-day event
--    count and last_seen_at rewrote ~2 rows per actor in every batch. The last time an
--    actor was seen is the first row of the (org_id, actor_id, occurred_at) index.
-- 3. Event identifiers (ids, names, actors, sessions) compare as bytes, collation "C".
--    Three of the four event indexes compare one of them on every insert; under the
--    database's linguistic collation each comparison copies both strings and calls
--    strcoll (~3% of Postgres's time per batch in perf), under "C" it is a memcmp. Byte
--    order is also the same on every machine, so these indexes cannot be corrupted by a
--    C-library collation update. The rollup columns follow, so they compare alike.
-- 4. event_counts rows are striped by writer. Every batch adds to the same few rows (its
--    names' current 15-minute buckets), so concurrent batches queued on those row locks,
--    each until the holder's commit reached the disk, and the CPU sat idle meanwhile;
--    a backfill spanning days made long convoys. Each connection now adds to its own
--    stripe (`shard`, from its backend pid), and a pg_cron job folds the stripes of
--    buckets older than an hour into stripe 0. Readers already sum events per bucket,
--    so stripes change no query.

alter table public.events drop constraint events_org_id_fkey;

create function private.delete_organization_events() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  delete from public.events where org_id = old.id;
  return old;
end
$$;

create trigger organizations_delete_events after delete on public.organizations
  for each row execute function private.delete_organization_events();
revoke all on function private.delete_organization_events() from public, anon, authenticated, service_role;

alter table public.events
  alter column id type text collate "C",
  alter column name type text collate "C",
  alter column actor_id type text collate "C",
  alter column session_id type text collate "C";
alter table public.event_counts alter column name type text collate "C";
alter table public.event_actor_days alter column actor_id type text collate "C";
alter table public.event_actors alter column actor_id type text collate "C";

alter table public.event_counts add column shard smallint not null default 0;
alter table public.event_counts drop constraint event_counts_pkey,
  add primary key (org_id, name, bucket, shard);

-- Folds striped counts of buckets older than `settled` into stripe 0 and returns how many
-- rows it removed. Sums per bucket are unchanged; run by pg_cron every five minutes.
create function private.fold_event_count_shards(settled interval default interval '1 hour')
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  folded integer;
begin
  with moved as (
    delete from public.event_counts
    where shard <> 0 and bucket < now() - settled
    returning org_id, name, bucket, events
  ), sums as (
    select org_id, name, bucket, sum(events) as events from moved group by 1, 2, 3
  ), merged as (
    insert into public.event_counts (org_id, name, bucket, shard, events)
    select org_id, name, bucket, 0, events from sums
    order by 1, 2, 3
    on conflict (org_id, name, bucket, shard)
    do update set events = public.event_counts.events + excluded.events
  )
  select count(*) into folded from moved;
  return folded;
end
$$;
revoke all on function private.fold_event_count_shards(interval)
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-event-count-fold', '*/5 * * * *',
                     'select private.fold_event_count_shards()');

alter table public.event_actor_days drop column events;
alter table public.event_actors drop column last_seen_at;

-- Folds newly inserted events (only rows actually inserted, so a retried batch adds
-- nothing) into the rollups, in sorted order so concurrent batches lock rows alike.
create or replace function private.roll_up_new_events() returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  orgs uuid[];
  present integer;
begin
  select array_agg(distinct org_id) into orgs from new_events;
  if orgs is null then
    return null; -- every event of the batch was already stored
  end if;

  -- The foreign key, once per organization of the batch: KEY SHARE is the lock a foreign
  -- key check takes, so a concurrent delete of the organization waits for this batch.
  select count(*) into present from (
    select 1 from public.organizations o where o.id = any (orgs) order by o.id for key share
  ) as locked;
  if present < cardinality(orgs) then
    raise exception 'insert or update on table "events" violates foreign key constraint "events_org_id_fkey"'
      using errcode = 'foreign_key_violation', constraint = 'events_org_id_fkey',
            detail = 'Every event must belong to an existing organization.';
  end if;

  -- This connection's stripe of the counts (see fold_event_count_shards).
  insert into public.event_counts (org_id, name, bucket, shard, events)
  select org_id, name,
         date_bin('15 minutes', occurred_at, timestamptz '2000-01-01 00:00:00+00'),
         (pg_backend_pid() % 16)::smallint,
         count(*)
  from new_events
  group by 1, 2, 3
  order by 1, 2, 3
  on conflict (org_id, name, bucket, shard)
  do update set events = public.event_counts.events + excluded.events;

  with actor_days as materialized (
    select e.org_id, (e.occurred_at at time zone o.timezone)::date as day, e.actor_id,
           min(e.occurred_at) as first_at
    from new_events e join public.organizations o on o.id = e.org_id
    where e.actor_id is not null
    group by 1, 2, 3
  ), days as (
    insert into public.event_actor_days (org_id, day, actor_id)
    select org_id, day, actor_id from actor_days
    order by 1, 2, 3
    on conflict do nothing
  ), firsts as (
    select distinct on (org_id, actor_id) org_id, actor_id, first_at, day
    from actor_days
    order by org_id, actor_id, first_at
  )
  -- Only actors that are new or were seen earlier than known reach the upsert: an upsert
  -- locks the existing row even when its WHERE then skips the update.
  insert into public.event_actors (org_id, actor_id, first_seen_at, first_seen_day)
  select f.org_id, f.actor_id, f.first_at, f.day
  from firsts f
  -- A subquery per actor, so each is one primary-key probe (an anti-join was planned as a
  -- hash of every actor of the organization).
  where f.first_at < coalesce((select a.first_seen_at from public.event_actors a
                               where a.org_id = f.org_id and a.actor_id = f.actor_id),
                              'infinity')
  order by 1, 2
  on conflict (org_id, actor_id) do update set
    first_seen_at = excluded.first_seen_at,
    first_seen_day = excluded.first_seen_day
  where excluded.first_seen_at < public.event_actors.first_seen_at;
  return null;
end
$$;
