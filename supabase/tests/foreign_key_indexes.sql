-- Every foreign key of ours has an index that starts with its columns, so deleting or updating
-- a referenced row (a user, an organization) never scans the referencing table. The same rule
-- as the advisors' unindexed_foreign_keys, which only reports it as INFO.
begin;
select plan(2);

select is_empty(
  $$select c.conrelid::regclass::text || ' ' || c.conname
    from pg_constraint c
    join pg_namespace n on n.oid = c.connamespace
    where c.contype = 'f' and n.nspname in ('public', 'private')
      and not exists (
        select 1 from pg_index i
        where i.indrelid = c.conrelid
          and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
          and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
      )$$,
  'every foreign key in public and private leads an index'
);

-- The denied case: a new foreign key without an index is reported.
create table private.fk_probe (user_id uuid references auth.users (id));
select is(
  (select string_agg(c.conname::text, ', ') from pg_constraint c
   where c.conrelid = 'private.fk_probe'::regclass and c.contype = 'f'
     and not exists (
       select 1 from pg_index i
       where i.indrelid = c.conrelid
         and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
         and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
     )),
  'fk_probe_user_id_fkey',
  'a foreign key without an index is found'
);

select * from finish();
rollback;
