-- Data sources: an organization's connected GA4 property or Instagram account, their
-- encrypted credentials, the OAuth flows in progress, and the durable queue of sync jobs
-- with the history of every attempt.
--
-- Who writes what. Members read their organization's sources and runs under RLS. Admins
-- change a source's settings, pause/resume it and disconnect it as themselves (column
-- grants, policies and a trigger on status below). Everything touching credentials,
-- OAuth states and jobs is done by the `sources` and `sync` functions as service, and a
-- user request only gets there after its role was checked in SQL as that user
-- (private.require_org_role, in the same request); none of it is granted to an API role
-- that a browser holds.

-- ===========================================================================
-- data_sources
-- ===========================================================================
create table public.data_sources (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  provider text not null check (provider in ('ga4', 'instagram')),
  -- GA4 `properties/123`, or the Instagram user id; null while a GA4 property is picked.
  external_id text check (char_length(external_id) between 1 and 200),
  -- The property's display name, or the Instagram username.
  external_name text check (char_length(external_name) <= 300),
  status text not null default 'pending'
    check (status in ('pending', 'active', 'needs_reauth', 'paused', 'error')),
  sync_interval_minutes int not null default 360 check (sync_interval_minutes between 15 and 10080),
  -- GA4 revises recent days, so every run re-fetches this many days before the last one.
  lookback_days int not null default 3 check (lookback_days between 0 and 30),
  backfill_days int not null default 90 check (backfill_days between 1 and 730),
  -- What the consenting account can pick from (GA4 properties), so that the pick is
  -- checked against what the provider listed rather than taken on trust.
  property_choices jsonb not null default '[]'::jsonb check (jsonb_typeof(property_choices) = 'array'),
  last_synced_at timestamptz,
  next_sync_at timestamptz,
  last_error text check (char_length(last_error) <= 2000),
  last_manual_sync_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- A source is active only once it knows its external account.
  check (status in ('pending', 'needs_reauth') or external_id is not null),
  unique (org_id, provider, external_id)
);
alter table public.data_sources enable row level security;
revoke all on public.data_sources from anon, authenticated, service_role;
-- The unique constraint's index starts with org_id and serves the org foreign key.
create index data_sources_created_by_idx on public.data_sources (created_by);
-- What the scheduler scans every minute.
create index data_sources_due_idx on public.data_sources (next_sync_at) where status = 'active';

create trigger data_sources_touch before update on public.data_sources
  for each row execute function private.touch_updated_at();

-- A user may pause a source and resume it, nothing else: `active` only ever comes from
-- the provider flow (GA4 property picked, Instagram connected) or from resuming, and
-- `needs_reauth`/`error` only from sync. Resuming clears the error and syncs soon; a
-- shorter interval brings the next run forward. Service work (postgres, service_role) is
-- not restricted here.
create function private.guard_source_change() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('authenticated', 'anon') and new.status is distinct from old.status then
    if new.status = 'paused' and old.status in ('active', 'error') then
      null;
    elsif new.status = 'active' and old.status in ('paused', 'error') and old.external_id is not null then
      new.last_error := null;
      new.next_sync_at := now();
    else
      raise exception 'a source cannot go from % to %', old.status, new.status
        using errcode = 'LY409';
    end if;
  end if;
  if new.status = 'active' and new.sync_interval_minutes < old.sync_interval_minutes then
    new.next_sync_at := least(new.next_sync_at, now() + make_interval(mins => new.sync_interval_minutes));
  end if;
  return new;
end
$$;
create trigger data_sources_guard before update on public.data_sources
  for each row execute function private.guard_source_change();
revoke all on function private.guard_source_change() from public, anon, authenticated, service_role;

-- ===========================================================================
-- source_credentials: the provider tokens, sealed (shared/credentials.ts)
-- ===========================================================================
-- AES-256-GCM with the source id as associated data, the key id beside each ciphertext.
-- No API role a browser holds may read it; only the functions, as service.
create table private.source_credentials (
  source_id uuid primary key references public.data_sources (id) on delete cascade,
  key_id text not null check (key_id ~ '^[A-Za-z0-9_-]{1,32}$'),
  iv bytea not null check (length(iv) = 12),
  ciphertext bytea not null,
  updated_at timestamptz not null default now()
);
alter table private.source_credentials enable row level security;
revoke all on private.source_credentials from anon, authenticated, service_role;

-- ===========================================================================
-- oauth_states: consent flows in progress
-- ===========================================================================
-- Only a SHA-256 of the `state` sent to the provider is stored, and the PKCE verifier is
-- sealed with the state hash as associated data. A state is consumed once, by an update
-- that sets used_at only if it is unused and unexpired (private.consume_oauth_state).
create table private.oauth_states (
  state_hash text primary key check (state_hash ~ '^[0-9a-f]{64}$'),
  user_id uuid not null references auth.users (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  provider text not null check (provider in ('ga4', 'instagram')),
  key_id text not null check (key_id ~ '^[A-Za-z0-9_-]{1,32}$'),
  iv bytea not null check (length(iv) = 12),
  ciphertext bytea not null,
  -- Where the browser is sent back to; an allowed origin, checked when the flow began.
  redirect_to text check (char_length(redirect_to) <= 2048),
  -- Set when the flow re-authorizes an existing source.
  source_id uuid references public.data_sources (id) on delete cascade,
  expires_at timestamptz not null default now() + interval '10 minutes',
  used_at timestamptz,
  created_at timestamptz not null default now()
);
alter table private.oauth_states enable row level security;
revoke all on private.oauth_states from anon, authenticated, service_role;
create index oauth_states_user_id_idx on private.oauth_states (user_id);
create index oauth_states_org_id_idx on private.oauth_states (org_id);
create index oauth_states_source_id_idx on private.oauth_states (source_id);
create index oauth_states_expires_at_idx on private.oauth_states (expires_at);

-- Consumes a state: returns its row once (unused, unexpired) with whether its user is
-- still an admin or owner of its organization, and nothing for a replayed, expired or
-- unknown state. Old states are swept on the way.
create function private.consume_oauth_state(presented_hash text)
returns table (
  user_id uuid, org_id uuid, provider text, key_id text, iv bytea, ciphertext bytea,
  redirect_to text, source_id uuid, user_is_admin boolean
)
language sql volatile security definer
set search_path = ''
as $$
  with swept as (
    delete from private.oauth_states where expires_at < now() - interval '1 day'
  ), consumed as (
    update private.oauth_states s set used_at = now()
    where s.state_hash = presented_hash and s.used_at is null and s.expires_at > now()
    returning s.*
  )
  select c.user_id, c.org_id, c.provider, c.key_id, c.iv, c.ciphertext, c.redirect_to,
         c.source_id,
         exists (select 1 from public.memberships m
                 where m.org_id = c.org_id and m.user_id = c.user_id and m.role >= 'admin')
  from consumed c
$$;
revoke all on function private.consume_oauth_state(text) from public, anon, authenticated, service_role;
grant execute on function private.consume_oauth_state(text) to service_role;

-- ===========================================================================
-- sync_jobs: the durable queue
-- ===========================================================================
create table private.sync_jobs (
  id bigint generated always as identity primary key,
  source_id uuid not null references public.data_sources (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  kind text not null check (kind in ('backfill', 'scheduled', 'manual')),
  from_date date not null,
  to_date date not null,
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  attempt int not null default 0 check (attempt >= 0),
  max_attempts int not null default 5 check (max_attempts >= 1),
  run_after timestamptz not null default now(),
  -- A running job whose lease has passed belongs to a worker that died: it is claimed again.
  leased_until timestamptz,
  leased_by text,
  last_error text check (char_length(last_error) <= 2000),
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  check (from_date <= to_date)
);
alter table private.sync_jobs enable row level security;
revoke all on private.sync_jobs from anon, authenticated, service_role;
-- At most one open job per source: a manual request or a scheduled run while one is
-- queued or running adds nothing (insert ... on conflict do nothing).
create unique index sync_jobs_one_open_idx on private.sync_jobs (source_id)
  where status in ('queued', 'running');
create index sync_jobs_source_id_idx on private.sync_jobs (source_id, id desc);
create index sync_jobs_org_id_idx on private.sync_jobs (org_id);
-- What claim_sync_jobs scans.
create index sync_jobs_claimable_idx on private.sync_jobs (run_after, id)
  where status in ('queued', 'running');

-- Queues a job for a source unless one is already open; returns its id, or null.
create function private.enqueue_sync_job(
  target_source uuid, job_kind text, first_day date, last_day date
) returns bigint
language sql volatile security definer
set search_path = ''
as $$
  insert into private.sync_jobs (source_id, org_id, kind, from_date, to_date)
  select s.id, s.org_id, job_kind, least(first_day, last_day), last_day
  from public.data_sources s where s.id = target_source
  on conflict (source_id) where status in ('queued', 'running') do nothing
  returning id
$$;
revoke all on function private.enqueue_sync_job(uuid, text, date, date)
  from public, anon, authenticated, service_role;
grant execute on function private.enqueue_sync_job(uuid, text, date, date) to service_role;

-- Every active source whose next_sync_at has passed and has no open job gets a
-- 'scheduled' job covering its look-back window (and any gap since its last sync, up to
-- its backfill horizon), through yesterday; its next_sync_at moves one interval on.
-- Returns how many jobs were queued. Called by pg_cron every minute.
create function private.enqueue_due_syncs() returns int
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  queued int;
begin
  with due as (
    select s.id, s.org_id, s.lookback_days, s.backfill_days, s.last_synced_at,
           s.sync_interval_minutes
    from public.data_sources s
    where s.status = 'active' and s.next_sync_at <= now()
      and not exists (select 1 from private.sync_jobs j
                      where j.source_id = s.id and j.status in ('queued', 'running'))
    for update of s skip locked
  ), bumped as (
    update public.data_sources s
    set next_sync_at = now() + make_interval(mins => due.sync_interval_minutes)
    from due where s.id = due.id
  ), inserted as (
    insert into private.sync_jobs (source_id, org_id, kind, from_date, to_date)
    select due.id, due.org_id, 'scheduled',
           greatest(
             least(coalesce(due.last_synced_at::date, current_date - 1), current_date - 1)
               - due.lookback_days,
             current_date - due.backfill_days),
           current_date - 1
    from due
    on conflict (source_id) where status in ('queued', 'running') do nothing
    returning 1
  )
  select count(*) into queued from inserted;
  return queued;
end
$$;
revoke all on function private.enqueue_due_syncs() from public, anon, authenticated, service_role;
grant execute on function private.enqueue_due_syncs() to service_role;

-- Leases up to `max_jobs` jobs to `worker`: queued ones that are due, and running ones
-- whose lease expired (their worker died). SKIP LOCKED, so two workers never get one job.
create function private.claim_sync_jobs(worker text, max_jobs int, lease interval)
returns setof private.sync_jobs
language sql volatile security definer
set search_path = ''
as $$
  with picked as (
    select j.id from private.sync_jobs j
    where (j.status = 'queued' and j.run_after <= now())
       or (j.status = 'running' and j.leased_until < now())
    order by j.run_after, j.id
    limit greatest(max_jobs, 0)
    for update skip locked
  )
  update private.sync_jobs j
  set status = 'running', attempt = j.attempt + 1, leased_by = worker,
      leased_until = now() + lease
  from picked where j.id = picked.id
  returning j.*
$$;
revoke all on function private.claim_sync_jobs(text, int, interval)
  from public, anon, authenticated, service_role;
grant execute on function private.claim_sync_jobs(text, int, interval) to service_role;

-- ===========================================================================
-- sync_runs: every attempt, for the source's history
-- ===========================================================================
create table public.sync_runs (
  id bigint generated always as identity primary key,
  source_id uuid not null references public.data_sources (id) on delete cascade,
  org_id uuid not null references public.organizations (id) on delete cascade,
  job_id bigint references private.sync_jobs (id) on delete set null,
  attempt int not null default 1 check (attempt >= 1),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running'
    check (status in ('running', 'succeeded', 'failed', 'retrying', 'needs_reauth')),
  rows_written int not null default 0 check (rows_written >= 0),
  from_date date,
  to_date date,
  error text check (char_length(error) <= 2000),
  -- What the provider says is left of its quota (GA4 propertyQuota), as it said it.
  quota jsonb
);
alter table public.sync_runs enable row level security;
revoke all on public.sync_runs from anon, authenticated, service_role;
-- Generated identity sequences live beside their table; revoke the platform defaults too.
revoke all on sequence public.sync_runs_id_seq from anon, authenticated, service_role;
-- A source's history, newest first, paged by id.
create index sync_runs_source_id_idx on public.sync_runs (source_id, id desc);
create index sync_runs_org_id_idx on public.sync_runs (org_id);
create index sync_runs_job_id_idx on public.sync_runs (job_id);

-- ===========================================================================
-- Grants
-- ===========================================================================
grant select, delete on public.data_sources to authenticated;
-- The settings admins change, and status for pause/resume (guarded above).
grant update (sync_interval_minutes, lookback_days, backfill_days, status)
  on public.data_sources to authenticated;
grant select on public.sync_runs to authenticated;
-- Service work reads and writes rows; it never truncates, references or adds triggers.
grant select, insert, update, delete on public.data_sources, public.sync_runs,
  private.source_credentials, private.oauth_states, private.sync_jobs to service_role;

-- ===========================================================================
-- Policies
-- ===========================================================================
create policy "Members can read their organization's data sources" on public.data_sources
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Admins can change their organization's data sources" on public.data_sources
  for update to authenticated
  using ((select private.has_org_role(org_id, 'admin')))
  with check ((select private.has_org_role(org_id, 'admin')));

create policy "Admins can disconnect their organization's data sources" on public.data_sources
  for delete to authenticated
  using ((select private.has_org_role(org_id, 'admin')));

create policy "Members can read their organization's sync history" on public.sync_runs
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));
