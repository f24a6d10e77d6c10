-- Analytics data: daily metrics, raw product events with the rollups that keep dashboards
-- fast at tens of millions of events, the pg_cron jobs that look after them, and API keys
-- for server-to-server ingestion. Every row belongs to an organization
-- (20261122000100_organizations.sql), whose helpers the policies here ask.
--
-- Migrations are append-only: once this file is on main it is never edited, reordered or
-- renumbered, because databases that applied it would not apply it again. Change the schema
-- with a new migration (`supabase migration new <name>`).
--
-- Measurements behind the choices below are in docs/performance/database.md.

-- ===========================================================================
-- The active organization
-- ===========================================================================
-- Data endpoints never take an organization id from the request: the tenant is the
-- caller's default organization (profiles.default_organization_id, switched with
-- PATCH /account/me), and only while they are still a member of it. Falls back to the
-- oldest membership so a user with organizations always has one.
create function private.active_org_id() returns uuid
language sql stable security definer
set search_path = ''
as $$
  select coalesce(
    (select p.default_organization_id from public.profiles p
     join public.memberships m on m.org_id = p.default_organization_id and m.user_id = p.id
     where p.id = (select auth.uid())),
    (select m.org_id from public.memberships m
     where m.user_id = (select auth.uid())
     order by m.created_at, m.org_id limit 1)
  )
$$;
-- As everywhere: revoke the platform's defaults (see 20261122000100), then grant.
revoke all on function private.active_org_id() from public, anon, authenticated, service_role;
grant execute on function private.active_org_id() to authenticated, service_role;

-- ===========================================================================
-- metrics: one value per organization, source, day, name and dimension
-- ===========================================================================
-- The primary key is the idempotency key: writing the same key again replaces the value,
-- so a re-sync never double counts. Its column order serves every dashboard read
-- (org, metric, date range), leaving source and dimension for breakdowns.
-- The name follows shared/domain/metric-name.ts, which the API checks first.
--
-- value is bounded so that no dashboard sum can overflow. Dashboards sum values exactly in
-- numeric, then answer in float8, whose range ends near 1.8e308: two rows of 1e308 would make
-- every tile, series, breakdown and CSV over their metric fail. ±1e15 is above any daily
-- count or amount in minor currency units, keeps whole values exact in float8 and in JS
-- (below 2^53), and would need ~1e293 rows to overflow a sum. The bound also refuses NaN
-- (which sorts above every number) and ±Infinity, which would poison every sum. The API
-- refuses the same bound (MAX_METRIC_MAGNITUDE), so the check only ever meets rows it
-- accepts.
create table public.metrics (
  org_id uuid not null references public.organizations (id) on delete cascade,
  metric_name text not null check (metric_name ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$'),
  metric_date date not null,
  source text not null default 'api' check (source ~ '^[a-z0-9][a-z0-9_.:-]{0,63}$'),
  dimension text not null default '' check (char_length(dimension) <= 200),
  value numeric not null constraint metrics_value_bounded check (value between -1e15 and 1e15),
  meta jsonb not null default '{}'::jsonb check (jsonb_typeof(meta) = 'object'),
  updated_at timestamptz not null default now(),
  primary key (org_id, metric_name, metric_date, source, dimension)
);
alter table public.metrics enable row level security;
revoke all on public.metrics from anon, authenticated, service_role;

-- ===========================================================================
-- events: raw product activity sent by the organization's own apps
-- ===========================================================================
-- Partitioned by month of occurred_at. Every read is scoped to one organization and a time
-- range, and live traffic writes to the newest month only: a month's indexes stay small
-- enough to be cached, where one big table's random primary-key inserts were the largest
-- cost of ingestion.
-- An event is identified by its client id and occurred_at: a retried batch resends both,
-- so it is stored once. (The partition key must be part of every unique index.)
--
-- org_id has no foreign key: a foreign key checks every row on its own (one query and one
-- lock per event). The rollup trigger below checks and locks each organization of a batch
-- once instead, with the same effect: an event cannot name a missing organization, and an
-- organization being deleted waits for batches in flight, then takes their events with it
-- (organizations_delete_events).
--
-- Identifiers (ids, names, actors, sessions) compare as bytes, collation "C". Three of the
-- four indexes compare one of them on every insert; under the database's linguistic
-- collation each comparison copies both strings and calls strcoll, under "C" it is a
-- memcmp. Byte order is also the same on every machine, so these indexes cannot be
-- corrupted by a C-library collation update. The rollup columns follow, so they compare
-- alike.
create table public.events (
  org_id uuid not null,
  id text collate "C" not null check (char_length(id) between 1 and 128),
  occurred_at timestamptz not null,
  name text collate "C" not null check (char_length(name) between 1 and 200),
  actor_id text collate "C" check (char_length(actor_id) between 1 and 200),
  session_id text collate "C" check (char_length(session_id) between 1 and 200),
  properties jsonb not null default '{}'::jsonb check (jsonb_typeof(properties) = 'object'),
  received_at timestamptz not null default now(),
  primary key (org_id, id, occurred_at)
) partition by range (occurred_at);
alter table public.events enable row level security;
revoke all on public.events from anon, authenticated, service_role;
-- The activity feed: newest first with a stable (occurred_at, id) cursor.
create index events_org_time_idx on public.events (org_id, occurred_at desc, id desc);
-- Feed and counts filtered by event name or by actor. The actor index also answers when an
-- actor was last seen (its first row), which no rollup keeps.
create index events_org_name_time_idx on public.events (org_id, name, occurred_at desc);
create index events_org_actor_time_idx on public.events (org_id, actor_id, occurred_at desc)
  where actor_id is not null;

-- What the missing foreign key's `on delete cascade` would do.
create function private.delete_organization_events() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  delete from public.events where org_id = old.id;
  return old;
end
$$;
revoke all on function private.delete_organization_events() from public, anon, authenticated, service_role;

create trigger organizations_delete_events after delete on public.organizations
  for each row execute function private.delete_organization_events();

-- Partitions live in `private`, out of the API's reach: queries go through public.events,
-- whose grants and policies apply to every partition. The default partition takes what no
-- month covers (data older than the months created), so an insert never fails for want of
-- a partition.
create table private.events_default partition of public.events default;
alter table private.events_default enable row level security;
revoke all on private.events_default from anon, authenticated, service_role;

-- Creates the monthly partitions from `months_back` months ago to `months_ahead` months
-- ahead that do not exist yet, and returns how many it made. A month that already has rows
-- in the default partition is left there (creating it would fail). Idempotent; pg_cron
-- runs it daily so next month's partition always exists before its first event.
create function private.ensure_event_partitions(months_back integer default 14,
                                                months_ahead integer default 2)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  this_month timestamp := date_trunc('month', now() at time zone 'UTC');
  month timestamp;
  partition_name text;
  made integer := 0;
begin
  for month in
    select generate_series(this_month - make_interval(months => months_back),
                           this_month + make_interval(months => months_ahead),
                           interval '1 month')
  loop
    partition_name := 'events_' || to_char(month, 'YYYY_MM');
    continue when to_regclass('private.' || partition_name) is not null;
    continue when exists (
      select 1 from private.events_default
      where occurred_at >= month at time zone 'UTC'
        and occurred_at < (month + interval '1 month') at time zone 'UTC'
    );
    execute format(
      'create table private.%I partition of public.events for values from (%L) to (%L)',
      partition_name, month at time zone 'UTC', (month + interval '1 month') at time zone 'UTC');
    execute format('alter table private.%I enable row level security', partition_name);
    made := made + 1;
  end loop;
  return made;
end
$$;
revoke all on function private.ensure_event_partitions(integer, integer)
  from public, anon, authenticated, service_role;

select private.ensure_event_partitions();

-- In pg_catalog, where Supabase's dashboard installs it (the local stack has it already).
create extension if not exists pg_cron with schema pg_catalog;
select cron.schedule('lytics-event-partitions', '17 3 * * *',
                     'select private.ensure_event_partitions()');

-- ===========================================================================
-- Rollups, maintained by a statement trigger on events
-- ===========================================================================
-- Event counts per 15 minutes: every IANA zone's offset is a multiple of 15 minutes, so
-- hour/day/week/month buckets in any timezone sum these exactly.
-- The rollups are updated by every batch; free space on each page (fillfactor) lets those
-- updates stay on their page without new index entries (HOT updates).
--
-- Rows are striped by writer (`shard`). Every batch adds to the same few rows (its names'
-- current 15-minute buckets), so concurrent batches would queue on those row locks, each
-- until the holder's commit reached the disk, with the CPU idle meanwhile; a backfill
-- spanning days makes long convoys. Each connection adds to its own stripe (from its
-- backend pid), and a pg_cron job folds the stripes of buckets older than an hour into
-- stripe 0. Readers sum events per bucket, so stripes change no query.
create table public.event_counts (
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text collate "C" not null,
  bucket timestamptz not null,
  events bigint not null,
  shard smallint not null default 0,
  primary key (org_id, name, bucket, shard)
) with (fillfactor = 70);
alter table public.event_counts enable row level security;
revoke all on public.event_counts from anon, authenticated, service_role;
create index event_counts_org_bucket_idx on public.event_counts (org_id, bucket);

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

-- The actor rollups keep only what the dashboards read, so that a returning actor's batch
-- changes no rollup row at all (no row lock, no new row version, no WAL).
--
-- Who was active on which day (the organization's day when the event occurred), for
-- DAU/WAU/MAU and retention without scanning raw events.
create table public.event_actor_days (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  actor_id text collate "C" not null,
  primary key (org_id, day, actor_id)
) with (fillfactor = 70);
alter table public.event_actor_days enable row level security;
revoke all on public.event_actor_days from anon, authenticated, service_role;
create index event_actor_days_actor_idx on public.event_actor_days (org_id, actor_id, day);

-- When each actor was first seen: retention cohorts are first-seen days or weeks.
create table public.event_actors (
  org_id uuid not null references public.organizations (id) on delete cascade,
  actor_id text collate "C" not null,
  first_seen_at timestamptz not null,
  first_seen_day date not null,
  primary key (org_id, actor_id)
) with (fillfactor = 70);
alter table public.event_actors enable row level security;
revoke all on public.event_actors from anon, authenticated, service_role;
create index event_actors_cohort_idx on public.event_actors (org_id, first_seen_day);

-- Folds newly inserted events (only rows actually inserted, so a retried batch adds
-- nothing) into the rollups, in sorted order so concurrent batches lock rows alike.
-- It also stands in for the foreign key events.org_id does not have, and reports a missing
-- organization exactly as that foreign key would (SQLSTATE 23503, events_org_id_fkey).
create function private.roll_up_new_events() returns trigger
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
revoke all on function private.roll_up_new_events() from public, anon, authenticated, service_role;

create trigger events_roll_up after insert on public.events
  referencing new table as new_events
  for each statement execute function private.roll_up_new_events();

-- ===========================================================================
-- Timezone changes: the actor rollups follow
-- ===========================================================================
-- event_actor_days and event_actors.first_seen_day hold the organization's calendar days,
-- as the rollup trigger computed them at ingest; left alone after a timezone change, active
-- users and retention would mix two calendars. So the change queues the organization, and
-- a pg_cron job re-derives its days from the raw events within a minute. (event_counts
-- needs nothing: its 15-minute buckets fit every zone.) Events arriving meanwhile are
-- rolled up in the new zone already, by the trigger.
create table private.actor_day_rebuilds (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  requested_at timestamptz not null default now()
);
alter table private.actor_day_rebuilds enable row level security;
revoke all on private.actor_day_rebuilds from anon, authenticated, service_role;

-- Queues (or re-queues) the organization whose timezone changed.
create function private.queue_actor_day_rebuild() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into private.actor_day_rebuilds (org_id) values (new.id)
  on conflict (org_id) do update set requested_at = now();
  return null;
end
$$;
revoke all on function private.queue_actor_day_rebuild() from public, anon, authenticated, service_role;

create trigger organizations_timezone_changed
  after update of timezone on public.organizations
  for each row when (old.timezone is distinct from new.timezone)
  execute function private.queue_actor_day_rebuild();

-- Re-derives one organization's actor days and first-seen days in its current timezone and
-- returns how many actor days it changed. Only the difference is written: days the new zone
-- adds are inserted and days it no longer has are deleted, so live ingestion, which only
-- ever adds days of the new zone, does not wait on rows this rebuild holds (deleting and
-- re-inserting everything would stall the organization's ingestion on the deleted rows for
-- as long as the rebuild runs).
create function private.rebuild_actor_days(org uuid)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  tz text;
  added integer;
  removed integer;
begin
  select o.timezone into tz from public.organizations o where o.id = org;
  if tz is null then
    return 0;
  end if;
  create temp table wanted on commit drop as
  select distinct (e.occurred_at at time zone tz)::date as day, e.actor_id
  from public.events e
  where e.org_id = org and e.actor_id is not null;
  analyze wanted;

  insert into public.event_actor_days (org_id, day, actor_id)
  select org, w.day, w.actor_id from wanted w
  where not exists (select 1 from public.event_actor_days d
                    where d.org_id = org and d.day = w.day and d.actor_id = w.actor_id)
  order by 2, 3
  on conflict do nothing;
  get diagnostics added = row_count;

  -- A day missing from `wanted` may belong to an event stored since it was computed: the
  -- second test looks at the events as they are now, for those few rows only.
  delete from public.event_actor_days d
  where d.org_id = org
    and not exists (select 1 from wanted w where w.day = d.day and w.actor_id = d.actor_id)
    and not exists (select 1 from public.events e
                    where e.org_id = org and e.actor_id = d.actor_id
                      and e.occurred_at >= d.day::timestamp at time zone tz
                      and e.occurred_at < (d.day + 1)::timestamp at time zone tz);
  get diagnostics removed = row_count;
  drop table wanted;

  update public.event_actors a
  set first_seen_day = (a.first_seen_at at time zone tz)::date
  where a.org_id = org and a.first_seen_day <> (a.first_seen_at at time zone tz)::date;
  return added + removed;
end
$$;
revoke all on function private.rebuild_actor_days(uuid) from public, anon, authenticated, service_role;

-- Rebuilds every queued organization and returns how many. A zone changed again while its
-- rebuild ran stays queued for the next run. Timezone changes are rare, so one transaction
-- for all of them is fine.
create function private.rebuild_queued_actor_days()
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  job record;
  rebuilt integer := 0;
begin
  for job in
    select org_id, requested_at from private.actor_day_rebuilds order by requested_at
    for update skip locked
  loop
    perform private.rebuild_actor_days(job.org_id);
    delete from private.actor_day_rebuilds
    where org_id = job.org_id and requested_at = job.requested_at;
    rebuilt := rebuilt + 1;
  end loop;
  return rebuilt;
end
$$;
revoke all on function private.rebuild_queued_actor_days()
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-actor-day-rebuilds', '* * * * *',
                     'select private.rebuild_queued_actor_days()');

-- ===========================================================================
-- pg_cron's own history
-- ===========================================================================
-- pg_cron records every run in cron.job_run_details and never forgets one: the jobs above
-- add a row per run (the minute-by-minute rebuild job alone 1,440 a day). A week of history
-- is enough to see what failed.
select cron.schedule('lytics-cron-history', '41 4 * * *',
                     $$delete from cron.job_run_details where end_time < now() - interval '7 days'$$);

-- ===========================================================================
-- api_keys: server-to-server ingestion credentials
-- ===========================================================================
-- The key is shown once; only its SHA-256 is kept, with a short visible prefix so people
-- can tell keys apart. `ingest` is the scope the API checks; `read` can be stored but
-- grants nothing.
create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  prefix text not null check (prefix ~ '^lyt_[A-Za-z0-9]{8}$'),
  key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] not null default '{ingest}'
    check (scopes <@ array['ingest', 'read'] and cardinality(scopes) > 0),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
alter table public.api_keys enable row level security;
revoke all on public.api_keys from anon, authenticated, service_role;
create index api_keys_org_idx on public.api_keys (org_id, created_at desc);
create index api_keys_created_by_idx on public.api_keys (created_by);

-- Resolves a presented key (by hash) to its organization and scopes, and records its use
-- at most once a minute so a busy key does not turn every request into a write.
create function private.use_api_key(presented_hash text)
returns table (key_id uuid, org_id uuid, scopes text[])
language plpgsql security definer
set search_path = ''
as $$
begin
  return query
  update public.api_keys k set last_used_at = now()
  where k.key_hash = presented_hash and k.revoked_at is null
    and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute')
  returning k.id, k.org_id, k.scopes;
  if not found then
    return query
    select k.id, k.org_id, k.scopes from public.api_keys k
    where k.key_hash = presented_hash and k.revoked_at is null;
  end if;
end
$$;
revoke all on function private.use_api_key(text) from public, anon, authenticated, service_role;
grant execute on function private.use_api_key(text) to service_role;

-- Revoking is final: a key revoked because it leaked must not be brought back by an
-- update of revoked_at (admins may update that column to revoke). SQLSTATE LY409 → 409.
create function private.keep_api_keys_revoked() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'a revoked API key stays revoked' using errcode = 'LY409';
  end if;
  return new;
end
$$;
revoke all on function private.keep_api_keys_revoked() from public, anon, authenticated, service_role;

create trigger api_keys_keep_revoked before update on public.api_keys
  for each row execute function private.keep_api_keys_revoked();

-- ===========================================================================
-- Grants
-- ===========================================================================
grant select, insert, update, delete on public.metrics to authenticated;
grant select, insert on public.events to authenticated;
grant select on public.event_counts, public.event_actor_days, public.event_actors to authenticated;
grant select, insert on public.api_keys to authenticated;
-- Revoking and renaming are the only changes a key ever gets.
grant update (name, revoked_at) on public.api_keys to authenticated;
-- Service work reads and writes rows; it never truncates, references or adds triggers.
grant select, insert, update, delete on public.metrics, public.events, public.event_counts,
  public.event_actor_days, public.event_actors, public.api_keys to service_role;

-- ===========================================================================
-- Policies
-- ===========================================================================
create policy "Members can read their organization's metrics" on public.metrics
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can write their organization's metrics" on public.metrics
  for insert to authenticated
  with check ((select private.has_org_role(org_id, 'member')));

create policy "Members can replace their organization's metrics" on public.metrics
  for update to authenticated
  using ((select private.has_org_role(org_id, 'member')))
  with check ((select private.has_org_role(org_id, 'member')));

create policy "Admins can delete their organization's metrics" on public.metrics
  for delete to authenticated
  using ((select private.has_org_role(org_id, 'admin')));

create policy "Members can read their organization's events" on public.events
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can send events to their organization" on public.events
  for insert to authenticated
  with check ((select private.has_org_role(org_id, 'member')));

create policy "Members can read their organization's event counts" on public.event_counts
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can read their organization's active actors" on public.event_actor_days
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Members can read their organization's actors" on public.event_actors
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Admins can read their organization's API keys" on public.api_keys
  for select to authenticated
  using ((select private.has_org_role(org_id, 'admin')));

create policy "Admins can create API keys" on public.api_keys
  for insert to authenticated
  with check (
    (select private.has_org_role(org_id, 'admin'))
    and created_by = (select auth.uid())
    and revoked_at is null
  );

create policy "Admins can revoke API keys" on public.api_keys
  for update to authenticated
  using ((select private.has_org_role(org_id, 'admin')))
  with check ((select private.has_org_role(org_id, 'admin')));
