-- pg_cron records every run in cron.job_run_details and never forgets one: the upkeep jobs
-- alone add ~1,700 rows a day. A week of history is enough to see what failed.
select cron.schedule('lytics-cron-history', '41 4 * * *',
                     $$delete from cron.job_run_details where end_time < now() - interval '7 days'$$);
