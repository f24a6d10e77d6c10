-- The metrics primary key carries `value`, so a metric series is read from the index alone
-- (issue #11).
--
-- Tiles, series and breakdowns of a metric sum `value` over one name's days: at 1M metric
-- rows the bench organization's `sessions` has 112 sources and dimensions a day, so 90 days
-- are 10,080 rows, and each sat on its own heap page (rows arrive day by day, across all
-- names). The key's range scan touched 10,187 buffers for 4.4 ms, the larger half of
-- "series 90d by day" (p95 24 ms at 10M events, the closest row to the 25 ms target).
-- With `value` in the key's leaf tuples the same rows are an index-only scan over the
-- ~100 leaf pages they fill; only rows written since the last vacuum still visit the heap.
--
-- Why the primary key itself rather than a second covering index: a second index would
-- cost every metric write another index insert (POST /metrics, the sync), and the old key
-- would then serve only uniqueness. The price is that an upsert changing a value is no
-- longer a HOT update; metric rows are rewritten at most once per sync of their day.
-- Upserts name the key columns (`on conflict (org_id, metric_name, metric_date, source,
-- dimension)`), which the new key still matches: included columns are not part of
-- uniqueness.
--
-- Building the index holds a lock that blocks metric writes (not reads) for the build:
-- about 2 s per million rows on 2 cores.
--
-- Migrations are append-only: change this with a new migration.

create unique index metrics_key_with_value
  on public.metrics (org_id, metric_name, metric_date, source, dimension) include (value);
alter table public.metrics
  drop constraint metrics_pkey,
  add constraint metrics_pkey primary key using index metrics_key_with_value;
