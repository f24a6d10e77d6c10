-- Scheduled sync: how the `sync` function records each attempt of a job, finishes it or
-- schedules its retry, stores what a provider reported, and how pg_cron wakes it.
-- The tables and the queue's enqueue/claim functions are in 20261201000100_sources.sql.
-- Every function here is security definer with an empty search_path, callable by
-- service_role only (the sync function's own connection), or by nobody but postgres (the
-- cron job's command).

-- ===========================================================================
-- Attempts: one sync_runs row per claim of a job
-- ===========================================================================
-- The attempt is recorded only while the caller still holds the job's lease: a worker whose
-- lease expired (it was presumed dead and the job was claimed again) records nothing more.
create function private.begin_sync_run(job bigint, worker text)
returns bigint
language sql volatile security definer
set search_path = ''
as $$
  insert into public.sync_runs (source_id, org_id, job_id, attempt, started_at, status,
                                from_date, to_date)
  select j.source_id, j.org_id, j.id, j.attempt, now(), 'running', j.from_date, j.to_date
  from private.sync_jobs j
  where j.id = job and j.status = 'running' and j.leased_by = worker
  returning id;
$$;
comment on function private.begin_sync_run(bigint, text) is
  'Records the start of an attempt at a claimed job; null when the caller no longer holds its lease.';

-- ===========================================================================
-- Storing a provider's numbers
-- ===========================================================================
-- The organization and provider come from the source row, never from the caller. The
-- metrics' `source` is `<provider>:<source id>`, so two GA4 properties of one organization
-- are two sources of the same metric names instead of overwriting each other. Rows whose
-- value and meta are unchanged are left alone (updated_at included), so a sync that finds
-- nothing new leaves `metrics` byte for byte as it was. Returns how many rows changed.
create function private.store_synced_metrics(synced_source uuid, reported jsonb)
returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  changed integer;
begin
  with src as (
    select s.id, s.org_id, s.provider from public.data_sources s where s.id = synced_source
  ), written as (
    insert into public.metrics as m (org_id, metric_name, metric_date, source, dimension,
                                     value, meta)
    select src.org_id, r.metric_name, r.metric_date, src.provider || ':' || src.id::text,
           r.dimension, r.value,
           r.meta || jsonb_build_object('source_id', src.id)
    from src
    cross join jsonb_to_recordset(reported) as r(metric_name text, metric_date date,
                                             dimension text, value numeric, meta jsonb)
    where r.metric_name like src.provider || '.%'
    on conflict (org_id, metric_name, metric_date, source, dimension) do update
      set value = excluded.value, meta = excluded.meta, updated_at = now()
      where m.value is distinct from excluded.value or m.meta is distinct from excluded.meta
    returning 1
  )
  select count(*) into changed from written;
  return changed;
end;
$$;
comment on function private.store_synced_metrics(uuid, jsonb) is
  'Upserts a source''s daily values into public.metrics (source = provider, meta.source_id), changing only rows whose value or meta differ.';

-- ===========================================================================
-- Finishing a job
-- ===========================================================================
-- Success: the job is done, the attempt records what it wrote and the provider's quota,
-- and the source is synced. `defer` pushes the next scheduled sync later (a provider's
-- quota runs low); a paused source stays paused.
create function private.complete_sync_job(
  job bigint, run bigint, worker text, rows_written integer, quota jsonb, defer interval
)
returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  done private.sync_jobs;
begin
  update private.sync_jobs j
  set status = 'succeeded', finished_at = now(), leased_until = null, last_error = null
  where j.id = job and j.status = 'running' and j.leased_by = worker
  returning * into done;
  if not found then
    update public.sync_runs r
    set status = 'failed', finished_at = now(), rows_written = complete_sync_job.rows_written,
        quota = complete_sync_job.quota,
        error = 'the lease expired before the attempt finished; another worker took the job'
    where r.id = run;
    return false;
  end if;
  update public.sync_runs r
  set status = 'succeeded', finished_at = now(), rows_written = complete_sync_job.rows_written,
      quota = complete_sync_job.quota, error = null
  where r.id = run;
  update public.data_sources s
  set last_synced_at = now(),
      last_error = null,
      status = case when s.status = 'error' then 'active' else s.status end,
      next_sync_at = greatest(
        coalesce(s.next_sync_at, now() + make_interval(mins => s.sync_interval_minutes)),
        now() + coalesce(defer, interval '0')),
      updated_at = now()
  where s.id = done.source_id;
  return true;
end;
$$;
comment on function private.complete_sync_job(bigint, bigint, text, integer, jsonb, interval) is
  'Marks a job and its attempt succeeded and the source synced; false when the caller had lost the lease.';

-- Failure. `failure` is what the provider's error means:
-- - 'reauth': the grant was revoked or the token expired; the source needs its user to
--   connect again, so no retry;
-- - 'retry': transient (429, 5xx, network); queued again after `retry_in` until the job's
--   max_attempts is spent, then the source goes to `error`;
-- - 'fatal': the provider will keep refusing; the source goes to `error` at once;
-- - 'skip': the source was paused or needs a new login after the job was queued; the job
--   ends without touching the source.
-- Returns what became of the job: 'retrying', 'failed', 'needs_reauth' or 'lease_lost'.
create function private.fail_sync_job(
  job bigint, run bigint, worker text, failure text, error text, retry_in interval,
  quota jsonb default null
)
returns text
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  held private.sync_jobs;
  outcome text;
begin
  if failure not in ('reauth', 'retry', 'fatal', 'skip') then
    raise exception 'failure must be reauth, retry, fatal or skip' using errcode = '22023';
  end if;
  select * into held from private.sync_jobs j
  where j.id = job and j.status = 'running' and j.leased_by = worker
  for update;
  if not found then
    update public.sync_runs r
    set status = 'failed', finished_at = now(), quota = fail_sync_job.quota,
        error = 'the lease expired before the attempt finished: ' || fail_sync_job.error
    where r.id = run;
    return 'lease_lost';
  end if;

  outcome := case
    when failure = 'reauth' then 'needs_reauth'
    when failure = 'retry' and held.attempt < held.max_attempts then 'retrying'
    else 'failed'
  end;
  if outcome = 'retrying' then
    update private.sync_jobs j
    set status = 'queued', run_after = now() + greatest(retry_in, interval '0'),
        leased_until = null, leased_by = null, last_error = fail_sync_job.error
    where j.id = job;
  else
    update private.sync_jobs j
    set status = 'failed', finished_at = now(), leased_until = null,
        last_error = fail_sync_job.error
    where j.id = job;
  end if;
  if outcome in ('needs_reauth', 'failed') and failure <> 'skip' then
    update public.data_sources s
    set status = case when outcome = 'needs_reauth' then 'needs_reauth' else 'error' end,
        last_error = fail_sync_job.error,
        updated_at = now()
    where s.id = held.source_id;
  end if;
  update public.sync_runs r
  set status = outcome, finished_at = now(), error = fail_sync_job.error,
      quota = fail_sync_job.quota
  where r.id = run;
  return outcome;
end;
$$;
comment on function private.fail_sync_job(bigint, bigint, text, text, text, interval, jsonb) is
  'Records a failed attempt: retried with the given delay, or the source set to needs_reauth or error.';

-- ===========================================================================
-- Waking the worker: pg_cron + pg_net, as hosted Supabase runs them
-- ===========================================================================
-- What a worker would find now: queued jobs whose time has come, and running ones whose
-- worker's lease expired (it crashed or hit the edge runtime's wall clock), which the next
-- claim takes over. The worker reports it as what it left for the next wake-up.
create function private.due_sync_job_count()
returns integer
language sql stable security definer
set search_path = ''
as $$
  select count(*)::int from private.sync_jobs j
  where (j.status = 'queued' and j.run_after <= now())
     or (j.status = 'running' and j.leased_until < now());
$$;
comment on function private.due_sync_job_count() is
  'How many sync jobs a worker could claim now.';

-- Enqueues the sources that are due, then says whether anything is waiting.
create function private.sync_is_due()
returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  enqueued integer := private.enqueue_due_syncs();
begin
  return enqueued > 0 or private.due_sync_job_count() > 0;
end;
$$;
comment on function private.sync_is_due() is
  'Run by the lytics-sync-due cron job: enqueues due sources, then whether the sync function should be woken.';

-- Every minute: when something is due, POST {functions url}/sync/run with the secret key,
-- both read from Vault (see the README, "Scheduled sync"). pg_net sends after commit, so
-- the jobs enqueued here are visible to the worker it wakes. The timeout covers the
-- function's whole run (it stops claiming after ~100 s), so pg_net does not record a
-- timeout for a run that is merely long.
select cron.schedule('lytics-sync-due', '* * * * *', $cron$
  select net.http_post(
    url := (select decrypted_secret from vault.decrypted_secrets
            where name = 'lytics_functions_url') || '/sync/run',
    headers := jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || (select decrypted_secret from vault.decrypted_secrets
                                     where name = 'lytics_sync_secret')),
    body := '{}'::jsonb,
    timeout_milliseconds := 150000)
  where private.sync_is_due()
$cron$);

-- ===========================================================================
-- Grants
-- ===========================================================================
revoke all on function private.begin_sync_run(bigint, text),
  private.store_synced_metrics(uuid, jsonb),
  private.complete_sync_job(bigint, bigint, text, integer, jsonb, interval),
  private.fail_sync_job(bigint, bigint, text, text, text, interval, jsonb),
  private.due_sync_job_count(),
  private.sync_is_due()
  from public, anon, authenticated, service_role;
grant execute on function private.begin_sync_run(bigint, text),
  private.store_synced_metrics(uuid, jsonb),
  private.complete_sync_job(bigint, bigint, text, integer, jsonb, interval),
  private.fail_sync_job(bigint, bigint, text, text, text, interval, jsonb),
  private.due_sync_job_count()
  to service_role;
