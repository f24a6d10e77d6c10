-- Append-only: this file is deployed as written; later changes go in new migrations.

-- ===========================================================================
-- Upkeep of data sources
-- ===========================================================================
-- Two kinds of rows nothing else removes: consent flows that were started and never
-- finished (their states expire after 10 minutes, but stay as rows; consume_oauth_state
-- only sweeps them when another flow completes), and GA4 sources whose property was never
-- picked (pending, holding tokens for a Google account that nothing syncs). A day is long
-- enough for a user to come back to either. Deleting a source takes its sealed credentials
-- with it (on delete cascade); the grant at Google stays until the user revokes it there.
create function private.clean_up_sources() returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  states integer;
  sources integer;
begin
  delete from private.oauth_states where expires_at < now() - interval '1 day';
  get diagnostics states = row_count;
  delete from public.data_sources
  where status = 'pending' and created_at < now() - interval '1 day';
  get diagnostics sources = row_count;
  return states + sources;
end
$$;
revoke all on function private.clean_up_sources()
  from public, anon, authenticated, service_role;

select cron.schedule('lytics-source-upkeep', '23 * * * *',
                     $$select private.clean_up_sources()$$);
