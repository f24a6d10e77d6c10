-- Analytics data: daily metrics, raw product events with the rollups that keep dashboards
-- fast at tens of millions of events, and API keys for server-to-server ingestion.

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
create table public.metrics (
  org_id uuid not null references public.organizations (id) on delete cascade,
  metric_name text not null check (metric_name ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,99}$'),
  metric_date date not null,
  source text not null default 'api' check (source ~ '^[a-z0-9][a-z0-9_.:-]{0,63}$'),
  dimension text not null default '' check (char_length(dimension) <= 200),
  -- numeric also takes NaN and ±Infinity, which would poison every sum on a dashboard.
  value numeric not null check (value > '-Infinity' and value < 'Infinity'),
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
-- enough to be cached, where one 10M-row table's random primary-key inserts were the
-- largest cost of ingestion (about 60 ms per 1,000 events against 13 ms into a
-- month-sized table, measured with EXPLAIN ANALYZE). Old months can later be dropped whole.
-- An event is identified by its client id and occurred_at: a retried batch resends both,
-- so it is stored once. (The partition key must be part of every unique index.)
create table public.events (
  org_id uuid not null references public.organizations (id) on delete cascade,
  id text not null check (char_length(id) between 1 and 128),
  occurred_at timestamptz not null,
  name text not null check (char_length(name) between 1 and 200),
  actor_id text check (char_length(actor_id) between 1 and 200),
  session_id text check (char_length(session_id) between 1 and 200),
  properties jsonb not null default '{}'::jsonb check (jsonb_typeof(properties) = 'object'),
  received_at timestamptz not null default now(),
  primary key (org_id, id, occurred_at)
) partition by range (occurred_at);
alter table public.events enable row level security;
revoke all on public.events from anon, authenticated, service_role;
-- The activity feed: newest first with a stable (occurred_at, id) cursor.
create index events_org_time_idx on public.events (org_id, occurred_at desc, id desc);
-- Feed and counts filtered by event name or by actor.
create index events_org_name_time_idx on public.events (org_id, name, occurred_at desc);
create index events_org_actor_time_idx on public.events (org_id, actor_id, occurred_at desc)
  where actor_id is not null;

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
create table public.event_counts (
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null,
  bucket timestamptz not null,
  events bigint not null,
  primary key (org_id, name, bucket)
) with (fillfactor = 70);
alter table public.event_counts enable row level security;
revoke all on public.event_counts from anon, authenticated, service_role;
create index event_counts_org_bucket_idx on public.event_counts (org_id, bucket);

-- Who was active on which day (the organization's day when the event occurred), for
-- DAU/WAU/MAU and retention without scanning raw events.
create table public.event_actor_days (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  actor_id text not null,
  events integer not null,
  primary key (org_id, day, actor_id)
) with (fillfactor = 70);
alter table public.event_actor_days enable row level security;
revoke all on public.event_actor_days from anon, authenticated, service_role;
create index event_actor_days_actor_idx on public.event_actor_days (org_id, actor_id, day);

-- First and last activity per actor: retention cohorts are first-seen days or weeks.
create table public.event_actors (
  org_id uuid not null references public.organizations (id) on delete cascade,
  actor_id text not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  first_seen_day date not null,
  primary key (org_id, actor_id)
) with (fillfactor = 70);
alter table public.event_actors enable row level security;
revoke all on public.event_actors from anon, authenticated, service_role;
create index event_actors_cohort_idx on public.event_actors (org_id, first_seen_day);

-- Folds newly inserted events (only rows actually inserted, so a retried batch adds
-- nothing) into the rollups, in sorted order so concurrent batches lock rows alike. The
-- actor-days are aggregated once and feed both actor tables; an actor whose first and
-- last activity a batch does not move is left unwritten.
create function private.roll_up_new_events() returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into public.event_counts (org_id, name, bucket, events)
  select org_id, name,
         date_bin('15 minutes', occurred_at, timestamptz '2000-01-01 00:00:00+00'),
         count(*)
  from new_events
  group by 1, 2, 3
  order by 1, 2, 3
  on conflict (org_id, name, bucket)
  do update set events = public.event_counts.events + excluded.events;

  with actor_days as materialized (
    select e.org_id, (e.occurred_at at time zone o.timezone)::date as day, e.actor_id,
           count(*) as events, min(e.occurred_at) as first_at, max(e.occurred_at) as last_at
    from new_events e join public.organizations o on o.id = e.org_id
    where e.actor_id is not null
    group by 1, 2, 3
  ), days as (
    insert into public.event_actor_days (org_id, day, actor_id, events)
    select org_id, day, actor_id, events from actor_days
    order by 1, 2, 3
    on conflict (org_id, day, actor_id)
    do update set events = public.event_actor_days.events + excluded.events
  )
  insert into public.event_actors (org_id, actor_id, first_seen_at, last_seen_at, first_seen_day)
  select org_id, actor_id, min(first_at), max(last_at), min(day)
  from actor_days
  group by 1, 2
  order by 1, 2
  on conflict (org_id, actor_id) do update set
    first_seen_at = least(public.event_actors.first_seen_at, excluded.first_seen_at),
    first_seen_day = case when excluded.first_seen_at < public.event_actors.first_seen_at
                          then excluded.first_seen_day
                          else public.event_actors.first_seen_day end,
    last_seen_at = greatest(public.event_actors.last_seen_at, excluded.last_seen_at)
  where excluded.first_seen_at < public.event_actors.first_seen_at
     or excluded.last_seen_at > public.event_actors.last_seen_at;
  return null;
end
$$;

create trigger events_roll_up after insert on public.events
  referencing new table as new_events
  for each statement execute function private.roll_up_new_events();
revoke all on function private.roll_up_new_events() from public, anon, authenticated, service_role;

-- ===========================================================================
-- api_keys: server-to-server ingestion credentials
-- ===========================================================================
-- The key is shown once; only its SHA-256 is kept, with a short visible prefix so people
-- can tell keys apart. Scopes leave room for read access later.
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

create trigger api_keys_keep_revoked before update on public.api_keys
  for each row execute function private.keep_api_keys_revoked();
revoke all on function private.keep_api_keys_revoked() from public, anon, authenticated, service_role;

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
