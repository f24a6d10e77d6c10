-- ===========================================================================
-- metrics.value: bounded, so no dashboard sum can overflow
-- ===========================================================================
-- Dashboards sum values exactly in numeric, then answer in float8, whose range ends near
-- 1.8e308: two valid rows of 1e308 made every tile, series, breakdown and CSV over their
-- metric fail. ±1e15 is above any daily count or amount in minor currency units, keeps
-- whole values exact in float8 and in JS (below 2^53), and would need ~1e293 rows to
-- overflow a sum. The API refuses the same bound (MAX_METRIC_MAGNITUDE in
-- supabase/functions/metrics/schema.ts), so the check only ever meets rows it accepts.

-- Rows already beyond the bound break their dashboards today; they are named rather than
-- silently deleted or clamped, since only their owner knows what the value should be.
do $$
declare
  beyond bigint;
begin
  select count(*) into beyond from public.metrics where not (value between -1e15 and 1e15);
  if beyond > 0 then
    raise exception '% metric rows have a value beyond ±1e15', beyond
      using hint = 'Rewrite or delete them first: select * from public.metrics '
                   'where not (value between -1e15 and 1e15)';
  end if;
end
$$;

-- Also refuses NaN and ±Infinity (NaN sorts above every number), which the check it
-- replaces was for.
alter table public.metrics
  drop constraint metrics_value_check,
  add constraint metrics_value_bounded check (value between -1e15 and 1e15);
