-- sync_jobs and sync_runs: the queue is the service's alone; members read their
-- organization's run history; enqueue_due_syncs and claim_sync_jobs do what pg_cron and
-- the sync worker rely on (one open job per source, leases, reclaiming a dead worker's job).
begin;
select plan(20);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as acme, tests.get_org_id('other') as other;
grant select on ids to authenticated, anon, service_role;

insert into public.data_sources (id, org_id, provider, external_id, status, next_sync_at,
                                 last_synced_at, lookback_days)
select '00000000-0000-0000-0000-00000000000a'::uuid, acme, 'ga4', 'properties/1', 'active',
       now() - interval '1 minute', now() - interval '1 day', 3 from ids
union all
select '00000000-0000-0000-0000-00000000000b', other, 'instagram', '178', 'active',
       now() + interval '1 hour', null, 3 from ids
union all
select '00000000-0000-0000-0000-00000000000c', acme, 'instagram', '179', 'paused',
       now() - interval '1 hour', null, 3 from ids;

-- ---------------------------------------------------------------------------
-- The queue belongs to the service
-- ---------------------------------------------------------------------------
select tests.authenticate_as('owner');
select throws_ok($$ select * from private.sync_jobs $$, '42501', null,
  'an owner cannot read the job queue');
select throws_ok($$ select private.enqueue_due_syncs() $$, '42501', null,
  'nor enqueue due syncs');
select throws_ok($$ select * from private.claim_sync_jobs('w', 1, '1 minute') $$, '42501', null,
  'nor claim jobs');
select throws_ok(
  $$ select private.enqueue_sync_job('00000000-0000-0000-0000-00000000000a', 'manual',
                                      current_date, current_date) $$,
  '42501', null, 'nor queue a job of their own');
select tests.authenticate_as_anon();
select throws_ok($$ select private.enqueue_due_syncs() $$, '42501', null,
  'anon cannot enqueue either');

-- ---------------------------------------------------------------------------
-- Scheduling
-- ---------------------------------------------------------------------------
set local role service_role;
select is(private.enqueue_due_syncs(), 1, 'only the active, due source gets a job');
select results_eq(
  $$ select source_id, kind, from_date, to_date, status from private.sync_jobs $$,
  $$ values ('00000000-0000-0000-0000-00000000000a'::uuid, 'scheduled', current_date - 4,
             current_date - 1, 'queued') $$,
  'the job covers the look-back window before the last synced day, through yesterday'
);
select ok(
  (select next_sync_at > now() + interval '5 hours' from public.data_sources
   where id = '00000000-0000-0000-0000-00000000000a'),
  'the source''s next run moves one interval on'
);
update public.data_sources set next_sync_at = now() - interval '1 minute'
where id = '00000000-0000-0000-0000-00000000000a';
select is(private.enqueue_due_syncs(), 0, 'a source with an open job gets no second one');
select is(
  private.enqueue_sync_job('00000000-0000-0000-0000-00000000000a', 'manual', current_date - 1,
                           current_date - 1),
  null, 'nor does a manual request while one is open'
);

-- ---------------------------------------------------------------------------
-- Claiming
-- ---------------------------------------------------------------------------
select results_eq(
  $$ select status, attempt, leased_by from private.claim_sync_jobs('worker-1', 5, '1 minute') $$,
  $$ values ('running', 1, 'worker-1') $$,
  'a worker leases the queued job'
);
select is_empty(
  $$ select * from private.claim_sync_jobs('worker-2', 5, '1 minute') $$,
  'a second worker gets nothing while the lease holds'
);
reset role;
update private.sync_jobs set leased_until = now() - interval '1 second';
set local role service_role;
select results_eq(
  $$ select attempt, leased_by from private.claim_sync_jobs('worker-2', 5, '1 minute') $$,
  $$ values (2, 'worker-2') $$,
  'a job whose lease expired is reclaimed by another worker'
);
update private.sync_jobs set status = 'succeeded', finished_at = now();
select isnt(
  private.enqueue_sync_job('00000000-0000-0000-0000-00000000000a', 'manual', current_date - 1,
                           current_date - 1),
  null, 'once it finished, a new job can be queued'
);
reset role;
update private.sync_jobs set run_after = now() + interval '1 hour' where status = 'queued';
set local role service_role;
select is_empty(
  $$ select * from private.claim_sync_jobs('worker-1', 5, '1 minute') $$,
  'a job waiting for its retry time is not claimed early'
);

-- ---------------------------------------------------------------------------
-- Run history
-- ---------------------------------------------------------------------------
insert into public.sync_runs (source_id, org_id, status, rows_written)
select '00000000-0000-0000-0000-00000000000a'::uuid, acme, 'succeeded', 42 from ids
union all
select '00000000-0000-0000-0000-00000000000b', other, 'failed', 0 from ids;
select is((select count(*)::int from public.sync_runs), 2, 'the service writes runs');
reset role;

select tests.authenticate_as('viewer');
select results_eq($$ select rows_written from public.sync_runs $$, $$ values (42) $$,
  'a viewer reads their organization''s runs only');
select throws_ok(
  $$ insert into public.sync_runs (source_id, org_id, status)
     select '00000000-0000-0000-0000-00000000000a', acme, 'succeeded' from ids $$,
  '42501', null, 'but cannot write one');
select tests.authenticate_as('owner');
select throws_ok(
  $$ update public.sync_runs set rows_written = 0 $$, '42501', null,
  'not even an owner rewrites history');
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.sync_runs $$, '42501', null, 'anon reads no runs');

select * from finish();
rollback;
