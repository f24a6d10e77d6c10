-- What the sync worker and pg_cron call (20261201000200_sync.sql): attempts recorded only
-- under a held lease, metrics stored for the source's own organization without touching
-- unchanged rows, success and each kind of failure, and the cron job that wakes the worker.
begin;
select plan(29);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as acme, tests.get_org_id('other') as other;
grant select on ids to authenticated, anon, service_role;

insert into public.data_sources (id, org_id, provider, external_id, status, next_sync_at)
select '00000000-0000-0000-0000-0000000000a1'::uuid, acme, 'ga4', 'properties/1', 'active',
       now() + interval '6 hours' from ids
union all
select '00000000-0000-0000-0000-0000000000a2', acme, 'instagram', '17', 'active',
       now() + interval '6 hours' from ids;

-- ---------------------------------------------------------------------------
-- Only the service calls the worker's helpers
-- ---------------------------------------------------------------------------
select tests.authenticate_as('owner');
select throws_ok($$ select private.begin_sync_run(1, 'w') $$, '42501', null,
  'an owner cannot record an attempt');
select throws_ok(
  $$ select private.store_synced_metrics('00000000-0000-0000-0000-0000000000a1', '[]') $$,
  '42501', null, 'nor store synced metrics');
select throws_ok($$ select private.complete_sync_job(1, 1, 'w', 0, null, '0') $$, '42501', null,
  'nor complete a job');
select throws_ok($$ select private.fail_sync_job(1, 1, 'w', 'fatal', 'x', '0') $$, '42501', null,
  'nor fail one');
select throws_ok($$ select private.sync_is_due() $$, '42501', null,
  'nor wake the worker');
select tests.clear_authentication();
set local role service_role;
select throws_ok($$ select private.sync_is_due() $$, '42501', null,
  'the wake-up check is pg_cron''s (postgres) alone, not even service_role''s');

-- ---------------------------------------------------------------------------
-- Attempts need the lease
-- ---------------------------------------------------------------------------
select private.enqueue_sync_job('00000000-0000-0000-0000-0000000000a1', 'backfill',
                                current_date - 3, current_date - 1);
create temp table claimed on commit drop as
select id from private.claim_sync_jobs('worker-1', 10, '5 minutes');
grant select on claimed to service_role;
select is((select count(*)::int from claimed), 1, 'the worker holds the job');
select is(private.begin_sync_run((select id from claimed), 'worker-2'), null,
  'a worker without the lease records no attempt');
create temp table run1 on commit drop as
select private.begin_sync_run((select id from claimed), 'worker-1') as id;
grant select on run1 to service_role;
select results_eq(
  $$ select attempt, status, from_date, to_date from public.sync_runs
     where id = (select id from run1) $$,
  $$ values (1, 'running', current_date - 3, current_date - 1) $$,
  'the attempt is recorded with its number and days');

-- ---------------------------------------------------------------------------
-- Storing metrics
-- ---------------------------------------------------------------------------
select is(
  private.store_synced_metrics('00000000-0000-0000-0000-0000000000a1', $$[
    {"metric_name": "ga4.sessions", "metric_date": "2026-03-01", "dimension": "",
     "value": "120", "meta": {"aggregation": "sum"}},
    {"metric_name": "ga4.engagementRate", "metric_date": "2026-03-01", "dimension": "",
     "value": "0.5714285714285714",
     "meta": {"aggregation": "ratio", "numerator": "ga4.engagedSessions",
              "denominator": "ga4.sessions"}},
    {"metric_name": "instagram.reach", "metric_date": "2026-03-01", "dimension": "",
     "value": "9", "meta": {}}
  ]$$::jsonb),
  2, 'two rows written; a row of another provider is not this source''s to write');
select results_eq(
  $$ select org_id, source, value::text, meta->>'source_id' from public.metrics
     where metric_name = 'ga4.engagementRate' $$,
  $$ select acme, 'ga4:00000000-0000-0000-0000-0000000000a1', '0.5714285714285714',
            '00000000-0000-0000-0000-0000000000a1' from ids $$,
  'stored in the source''s organization, as reported, with the source id');
update public.metrics set updated_at = '2026-01-01' where metric_name like 'ga4.%';
select is(
  private.store_synced_metrics('00000000-0000-0000-0000-0000000000a1', $$[
    {"metric_name": "ga4.sessions", "metric_date": "2026-03-01", "dimension": "",
     "value": "120", "meta": {"aggregation": "sum"}},
    {"metric_name": "ga4.engagementRate", "metric_date": "2026-03-01", "dimension": "",
     "value": "0.5714285714285714",
     "meta": {"aggregation": "ratio", "numerator": "ga4.engagedSessions",
              "denominator": "ga4.sessions"}}
  ]$$::jsonb),
  0, 'the same values again change nothing');
select is(
  (select count(*)::int from public.metrics
   where metric_name like 'ga4.%' and updated_at = '2026-01-01'),
  2, 'not even updated_at');
select is(
  private.store_synced_metrics('00000000-0000-0000-0000-0000000000a1', $$[
    {"metric_name": "ga4.sessions", "metric_date": "2026-03-01", "dimension": "",
     "value": "121", "meta": {"aggregation": "sum"}}
  ]$$::jsonb),
  1, 'a revised value is rewritten');
select ok(
  (select updated_at > '2026-01-01' and value = 121 from public.metrics
   where metric_name = 'ga4.sessions'),
  'with a new updated_at');

-- ---------------------------------------------------------------------------
-- Success
-- ---------------------------------------------------------------------------
select ok(
  private.complete_sync_job((select id from claimed), (select id from run1), 'worker-1', 3,
                            '{"tokensPerHour": {"consumed": 10, "remaining": 3000}}',
                            interval '1 hour'),
  'the lease holder completes the job');
select results_eq(
  $$ select status, rows_written, quota->'tokensPerHour'->>'remaining' from public.sync_runs
     where id = (select id from run1) $$,
  $$ values ('succeeded', 3, '3000') $$,
  'the attempt records rows written and the quota');
select ok(
  (select last_synced_at is not null and status = 'active'
          and next_sync_at >= now() + interval '6 hours'
   from public.data_sources where id = '00000000-0000-0000-0000-0000000000a1'),
  'the source is synced; a quota deferral never brings its next run forward');

-- ---------------------------------------------------------------------------
-- Failures
-- ---------------------------------------------------------------------------
create temp table attempt on commit drop as
select j.id as job, private.begin_sync_run(j.id, 'worker-1') as run
from private.claim_sync_jobs('worker-1', 0, '5 minutes') j;
grant select on attempt to service_role;
select private.enqueue_sync_job('00000000-0000-0000-0000-0000000000a2', 'backfill',
                                current_date - 3, current_date - 1);
insert into attempt
select j.id, private.begin_sync_run(j.id, 'worker-1')
from private.claim_sync_jobs('worker-1', 1, '5 minutes') j;
update private.sync_jobs set max_attempts = 2 where id = (select job from attempt);

select is(
  private.fail_sync_job((select job from attempt), (select run from attempt), 'worker-1',
                        'retry', 'GA4 429', interval '30 seconds'),
  'retrying', 'a transient failure is queued again');
select ok(
  (select status = 'queued' and leased_by is null and run_after > now() + interval '29 seconds'
   from private.sync_jobs where id = (select job from attempt)),
  'after the backoff it was given');
update private.sync_jobs set run_after = now() where id = (select job from attempt);
update attempt set run = (
  select private.begin_sync_run(j.id, 'worker-1')
  from private.claim_sync_jobs('worker-1', 1, '5 minutes') j);
select is(
  private.fail_sync_job((select job from attempt), (select run from attempt), 'worker-1',
                        'retry', 'GA4 500', interval '30 seconds'),
  'failed', 'the last attempt spent, the job fails');
select results_eq(
  $$ select status, last_error from public.data_sources
     where id = '00000000-0000-0000-0000-0000000000a2' $$,
  $$ values ('error', 'GA4 500') $$,
  'and the source goes to error with the reason');
select results_eq(
  $$ select attempt, status from public.sync_runs
     where source_id = '00000000-0000-0000-0000-0000000000a2' order by id $$,
  $$ values (1, 'retrying'), (2, 'failed') $$,
  'every attempt is in the history');

update public.data_sources set status = 'active' where id = '00000000-0000-0000-0000-0000000000a2';
truncate attempt;
select private.enqueue_sync_job('00000000-0000-0000-0000-0000000000a2', 'manual',
                                current_date - 1, current_date - 1);
insert into attempt
select j.id, private.begin_sync_run(j.id, 'worker-1')
from private.claim_sync_jobs('worker-1', 1, '5 minutes') j;
select is(
  private.fail_sync_job((select job from attempt), (select run from attempt), 'worker-1',
                        'reauth', 'invalid_grant', interval '30 seconds'),
  'needs_reauth', 'a revoked grant is not retried');
select results_eq(
  $$ select status from public.data_sources
     where id = '00000000-0000-0000-0000-0000000000a2' $$,
  $$ values ('needs_reauth') $$,
  'the source needs a new login');
select is(
  private.fail_sync_job((select job from attempt), (select run from attempt), 'worker-1',
                        'retry', 'late', interval '0'),
  'lease_lost', 'a worker that no longer holds the job changes nothing');
select throws_ok(
  $$ select private.fail_sync_job(1, 1, 'w', 'maybe', 'x', '0') $$, '22023', null,
  'an unknown failure kind is refused');

-- ---------------------------------------------------------------------------
-- The cron job
-- ---------------------------------------------------------------------------
reset role;
select results_eq(
  $$ select schedule, active from cron.job where jobname = 'lytics-sync-due' $$,
  $$ values ('* * * * *'::text, true) $$,
  'lytics-sync-due runs every minute');
select ok(
  (select command like '%net.http_post%vault.decrypted_secrets%lytics_functions_url%/sync/run%'
          and command like '%lytics_sync_secret%' and command like '%private.sync_is_due()%'
   from cron.job where jobname = 'lytics-sync-due'),
  'it posts to <functions url>/sync/run with the secret from Vault, when something is due');

select * from finish();
rollback;
