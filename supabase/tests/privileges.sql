-- Every privilege the API roles hold on what the migrations create in `public` and `private`,
-- compared with an explicit allow-list. The platform's default privileges (the local stack
-- reproduces the permissive ones: everything postgres creates in public is granted to anon,
-- authenticated and service_role) must never leak through: a new table, view, sequence or
-- function that forgets its `revoke` shows up here as an unexpected privilege.
-- When a migration grants something new on purpose, add it to the list below.
begin;
select plan(13);

-- What the catalog says each API role (and PUBLIC, which every role is part of) may do.
-- Null ACLs are expanded to their built-in defaults (functions: EXECUTE for PUBLIC).
create temp table granted on commit drop as
with api_roles(grantee, oid) as (
  select 'PUBLIC', 0::oid
  union all
  select rolname, oid from pg_roles where rolname in ('anon', 'authenticated', 'service_role')
)
select case when c.relkind = 'S' then 'sequence' else 'table' end as kind,
       format('%s.%s', n.nspname, c.relname) as object, g.grantee, a.privilege_type as privilege
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
cross join lateral aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
join api_roles g on g.oid = a.grantee
where n.nspname in ('public', 'private') and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
union all
select 'column', format('%s.%s.%s', n.nspname, c.relname, att.attname), g.grantee,
       a.privilege_type
from pg_attribute att
join pg_class c on c.oid = att.attrelid
join pg_namespace n on n.oid = c.relnamespace
cross join lateral aclexplode(att.attacl) a
join api_roles g on g.oid = a.grantee
where n.nspname in ('public', 'private') and att.attnum > 0 and not att.attisdropped
union all
select 'function', format('%s.%s(%s)', n.nspname, p.proname, oidvectortypes(p.proargtypes)),
       g.grantee, a.privilege_type
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
cross join lateral aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
join api_roles g on g.oid = a.grantee
where n.nspname in ('public', 'private');

select is_empty(
  $$select kind, object, privilege from granted where grantee in ('anon', 'PUBLIC')$$,
  'anon (and PUBLIC) hold no privilege on any table, view, sequence, column or function'
);

select set_eq(
  $$select object, privilege from granted where grantee = 'authenticated' and kind = 'table'$$,
  $$values ('public.organizations', 'SELECT'), ('public.organizations', 'INSERT'),
           ('public.organizations', 'DELETE'),
           ('public.memberships', 'SELECT'), ('public.memberships', 'DELETE'),
           ('public.invitations', 'SELECT'), ('public.invitations', 'INSERT'),
           ('public.invitations', 'DELETE'),
           ('public.profiles', 'SELECT'),
           ('public.metrics', 'SELECT'), ('public.metrics', 'INSERT'),
           ('public.metrics', 'UPDATE'), ('public.metrics', 'DELETE'),
           ('public.events', 'SELECT'), ('public.events', 'INSERT'),
           ('public.event_counts', 'SELECT'), ('public.event_actor_days', 'SELECT'),
           ('public.event_actors', 'SELECT'),
           ('public.event_property_sets', 'SELECT'), ('public.event_property_days', 'SELECT'),
           ('public.active_actor_gaps', 'SELECT'),
           ('public.retention_day_cells', 'SELECT'), ('public.retention_week_cells', 'SELECT'),
           ('public.event_name_days', 'SELECT'), ('public.all_event_property_sets', 'SELECT'),
           ('public.all_event_property_days', 'SELECT'),
           ('public.feature_actor_windows', 'SELECT'),
           ('public.api_keys', 'SELECT'), ('public.api_keys', 'INSERT'),
           ('public.data_sources', 'SELECT'), ('public.data_sources', 'DELETE'),
           ('public.sync_runs', 'SELECT'),
           ('public.conversations', 'SELECT'), ('public.conversations', 'INSERT'),
           ('public.conversations', 'DELETE'),
           ('public.messages', 'SELECT'), ('public.assistant_usage', 'SELECT')$$,
  'authenticated holds exactly the table privileges the migrations grant'
);

select set_eq(
  $$select object, privilege from granted where grantee = 'authenticated' and kind = 'column'$$,
  $$values ('public.organizations.name', 'UPDATE'), ('public.organizations.slug', 'UPDATE'),
           ('public.organizations.timezone', 'UPDATE'),
           ('public.memberships.role', 'UPDATE'),
           ('public.profiles.display_name', 'UPDATE'), ('public.profiles.avatar_url', 'UPDATE'),
           ('public.profiles.default_organization_id', 'UPDATE'),
           ('public.api_keys.name', 'UPDATE'), ('public.api_keys.revoked_at', 'UPDATE'),
           ('public.data_sources.sync_interval_minutes', 'UPDATE'),
           ('public.data_sources.lookback_days', 'UPDATE'),
           ('public.data_sources.backfill_days', 'UPDATE'),
           ('public.data_sources.status', 'UPDATE'),
           ('public.conversations.title', 'UPDATE')$$,
  'authenticated updates only the columns the migrations grant'
);

select set_eq(
  $$select object from granted where grantee = 'authenticated' and kind = 'function'$$,
  $$values ('private.is_valid_timezone(text)'), ('private.org_role(uuid)'),
           ('private.has_org_role(uuid, org_role)'), ('private.my_org_ids()'),
           ('private.shares_org_with(uuid)'), ('private.accept_invitation(text)'),
           ('private.org_members(uuid)'), ('private.active_org_id()'),
           ('private.require_org_role(uuid, org_role)'),
           ('private.assert_live_session(uuid, uuid)'),
           ('private.add_assistant_usage(bigint, bigint, integer)'),
           ('private.take_assistant_turn(integer, bigint)'),
           ('private.store_assistant_turn(uuid, jsonb, bigint, bigint)'),
           ('private.detail_rollups_ready(uuid)')$$,
  'authenticated executes only the helpers its policies and the API call'
);

select set_eq(
  $$select kind, object, privilege from granted where grantee = 'service_role'$$,
  $$select 'table' as kind, 'public.' || t as object, p as privilege
    from unnest(array['organizations', 'memberships', 'invitations', 'profiles', 'metrics',
                      'events', 'event_counts', 'event_actor_days', 'event_actors',
                      'event_property_sets', 'event_property_days', 'active_actor_gaps',
                      'retention_day_cells', 'retention_week_cells',
                      'event_name_days', 'all_event_property_sets', 'all_event_property_days',
                      'feature_actor_windows', 'api_keys']) t,
         unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
    union all
    select 'function', f, 'EXECUTE'
    from unnest(array['private.is_valid_timezone(text)', 'private.org_role(uuid)',
                      'private.has_org_role(uuid, org_role)', 'private.my_org_ids()',
                      'private.shares_org_with(uuid)', 'private.org_members(uuid)',
                      'private.active_org_id()', 'private.use_api_key(text)',
                      'private.detail_rollups_ready(uuid)']) f
    union all
    select 'table', t, p
    from unnest(array['public.data_sources', 'public.sync_runs', 'private.source_credentials',
                      'private.oauth_states', 'private.sync_jobs']) t,
         unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
    union all
    select 'function', f, 'EXECUTE'
    from unnest(array['private.consume_oauth_state(text)',
                      'private.enqueue_sync_job(uuid, text, date, date)',
                      'private.enqueue_due_syncs()',
                      'private.claim_sync_jobs(text, integer, interval)',
                      'private.begin_sync_run(bigint, text)',
                      'private.store_synced_metrics(uuid, jsonb)',
                      'private.complete_sync_job(bigint, bigint, text, integer, jsonb, interval)',
                      'private.fail_sync_job(bigint, bigint, text, text, text, interval, jsonb)',
                      'private.due_sync_job_count()']) f
    union all
    select 'table', 'private.assistant_settings', p
    from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p$$,
  'service_role reads and writes rows and calls its helpers, and nothing more (no TRUNCATE)'
);

-- The same, asked the way Postgres decides (memberships and PUBLIC included).
select is_empty(
  $$select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'private') and c.relkind in ('r', 'p', 'v', 'm', 'f')
      and (has_table_privilege('anon', c.oid,
             'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
           or has_any_column_privilege('anon', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))$$,
  'anon may not touch any table or column'
);

select is_empty(
  $$select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('public', 'private') and has_function_privilege('anon', p.oid, 'EXECUTE')
    union all
    select c.oid::regclass::text from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'private')
      -- CASE, so that the planner never asks this of a relation that is not a sequence.
      and case when c.relkind = 'S'
               then has_sequence_privilege('anon', c.oid, 'USAGE, SELECT, UPDATE') end$$,
  'anon may not call any function or use any sequence'
);

select ok(
  not has_schema_privilege('anon', 'private', 'USAGE')
  and has_schema_privilege('authenticated', 'private', 'USAGE'),
  'private is reachable by authenticated, not by anon'
);

-- What the Data API and GraphQL would show anon about the schema: nothing.
set local role anon;
select is(
  (select count(*)::int from information_schema.columns
   where table_schema in ('public', 'private')),
  0,
  'anon sees no column of any table in information_schema'
);
select is(
  (select count(*)::int from information_schema.tables
   where table_schema in ('public', 'private')),
  0,
  'anon sees no table in information_schema'
);
select is(
  (select count(*)::int from information_schema.routines
   where routine_schema in ('public', 'private')),
  0,
  'anon sees no function in information_schema'
);
reset role;

-- The denied case: a table created without the revoke gets the platform's defaults, and the
-- check above would name it.
create table public.forgot_to_revoke (id int);
create function public.forgot_to_revoke_either() returns int language sql as 'select 1';
select set_eq(
  $$select distinct object from (
      select format('%s.%s', n.nspname, c.relname) as object from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where c.relname = 'forgot_to_revoke' and has_table_privilege('anon', c.oid, 'SELECT')
      union all
      select 'public.forgot_to_revoke_either()' from pg_proc
      where proname = 'forgot_to_revoke_either' and has_function_privilege('anon', oid, 'EXECUTE')
    ) o$$,
  $$values ('public.forgot_to_revoke'), ('public.forgot_to_revoke_either()')$$,
  'a table or function created in public without revoking is open to anon (the platform default)'
);
select ok(
  has_table_privilege('authenticated', 'public.forgot_to_revoke', 'TRUNCATE')
  and has_table_privilege('service_role', 'public.forgot_to_revoke', 'TRUNCATE'),
  'and to authenticated and service_role, down to TRUNCATE'
);

select * from finish();
rollback;
