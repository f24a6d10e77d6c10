-- conversations, messages, assistant_usage, the rate windows and the sealed settings: a
-- user reads, renames and deletes only their own conversations in their organizations;
-- turns are stored only through private.store_assistant_turn, into the caller's own
-- conversation; members read their organization's usage; nobody but the service reads the
-- sealed settings.
begin;
select plan(26);

select tests.create_acme_and_other();
create temp table ids as
select tests.get_org_id('acme') as acme, tests.get_org_id('other') as other;
grant select on ids to authenticated, anon, service_role;

-- As the service (postgres): one conversation of member's and one of admin's in acme,
-- one of outsider's in other, and acme's sealed settings.
insert into public.conversations (id, org_id, user_id, title)
select '00000000-0000-0000-0000-0000000000c1'::uuid, acme, tests.get_supabase_uid('member'), 'Mine'
from ids
union all
select '00000000-0000-0000-0000-0000000000c2', acme, tests.get_supabase_uid('admin'), 'Admin''s'
from ids
union all
select '00000000-0000-0000-0000-0000000000c3', other, tests.get_supabase_uid('outsider'), 'Theirs'
from ids;
insert into private.assistant_settings (org_id, key_id, iv, ciphertext, key_hint)
select acme, 'k1', '\x000102030405060708090a0b', '\xdead', 'sk-…abcd' from ids;

-- ---------------------------------------------------------------------------
-- Reading conversations
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select results_eq(
  $$ select title from public.conversations $$,
  $$ values ('Mine') $$,
  'a member reads their own conversation and not a colleague''s'
);
select tests.authenticate_as('owner');
select is_empty(
  $$ select * from public.conversations $$,
  'not even the owner reads another member''s conversations'
);
select tests.authenticate_as('outsider');
select results_eq(
  $$ select title from public.conversations $$,
  $$ values ('Theirs') $$,
  'an outsider sees only their own organization''s conversation'
);
select tests.authenticate_as_anon();
select throws_ok(
  $$ select * from public.conversations $$, '42501', null, 'anon cannot read conversations'
);

-- ---------------------------------------------------------------------------
-- Starting, renaming, deleting
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select lives_ok(
  $$ insert into public.conversations (org_id, user_id)
     select acme, tests.get_supabase_uid('viewer') from ids $$,
  'a viewer starts a conversation of their own in their organization'
);
select throws_ok(
  $$ insert into public.conversations (org_id, user_id)
     select acme, tests.get_supabase_uid('member') from ids $$,
  '42501', null, 'nobody starts a conversation in someone else''s name'
);
select throws_ok(
  $$ insert into public.conversations (org_id, user_id)
     select other, tests.get_supabase_uid('viewer') from ids $$,
  '42501', null, 'nobody starts a conversation in an organization they do not belong to'
);
select tests.authenticate_as('member');
select results_eq(
  $$ update public.conversations set title = 'Renamed' returning id $$,
  $$ values ('00000000-0000-0000-0000-0000000000c1'::uuid) $$,
  'a member renames only their own conversation'
);
select throws_ok(
  $$ update public.conversations set user_id = tests.get_supabase_uid('admin') $$,
  '42501', null, 'the owner of a conversation cannot be changed'
);
select tests.authenticate_as('admin');
select is_empty(
  $$ delete from public.conversations
     where id = '00000000-0000-0000-0000-0000000000c1' returning id $$,
  'an admin cannot delete a member''s conversation'
);

-- ---------------------------------------------------------------------------
-- Storing turns
-- ---------------------------------------------------------------------------
select tests.authenticate_as('member');
select throws_ok(
  $$ insert into public.messages (conversation_id, position, role, content)
     values ('00000000-0000-0000-0000-0000000000c1', 1, 'user', 'forged') $$,
  '42501', null, 'nobody inserts messages directly'
);
select is(
  (select count(*)::int from private.store_assistant_turn(
    '00000000-0000-0000-0000-0000000000c1',
    '[{"role":"user","content":"How many sessions?"},
      {"role":"assistant","content":"","tool_calls":[{"id":"c1","name":"catalog","arguments":"{}"}]},
      {"role":"tool","content":"{}","tool_call_id":"c1","tool_name":"catalog"},
      {"role":"assistant","content":"42 sessions.","model":"m","prompt_tokens":10,"completion_tokens":5}]',
    10, 5)),
  4,
  'a member stores a whole turn into their own conversation'
);
select results_eq(
  $$ select position, role from public.messages
     where conversation_id = '00000000-0000-0000-0000-0000000000c1' order by position $$,
  $$ values (1, 'user'), (2, 'assistant'), (3, 'tool'), (4, 'assistant') $$,
  'in order'
);
select results_eq(
  $$ select requests, prompt_tokens, completion_tokens from public.assistant_usage $$,
  $$ values (1, 10::bigint, 5::bigint) $$,
  'and its tokens are on the organization''s ledger'
);
select throws_ok(
  $$ select private.store_assistant_turn('00000000-0000-0000-0000-0000000000c2',
       '[{"role":"user","content":"x"}]', 0, 0) $$,
  'LY404', null, 'nobody stores a turn into a colleague''s conversation'
);
select throws_ok(
  $$ select private.store_assistant_turn('00000000-0000-0000-0000-0000000000c3',
       '[{"role":"user","content":"x"}]', 0, 0) $$,
  'LY404', null, 'or into another organization''s'
);
select throws_ok(
  $$ select private.add_assistant_usage(-100, 0) $$,
  'LY400', null, 'usage cannot be taken back'
);
select tests.authenticate_as('admin');
select is_empty(
  $$ select * from public.messages $$,
  'a colleague reads none of those messages'
);
select results_eq(
  $$ select prompt_tokens + completion_tokens from public.assistant_usage $$,
  $$ values (15::bigint) $$,
  'but every member reads the organization''s usage'
);
select tests.authenticate_as('outsider');
select is_empty(
  $$ select * from public.assistant_usage $$,
  'an outsider reads none of acme''s usage'
);
select throws_ok(
  $$ update public.assistant_usage set prompt_tokens = 0 $$,
  '42501', null, 'nobody rewrites the ledger'
);

-- ---------------------------------------------------------------------------
-- Limits
-- ---------------------------------------------------------------------------
select tests.authenticate_as('viewer');
select results_eq(
  $$ select refused from private.take_assistant_turn(2, 1000)
     union all select refused from private.take_assistant_turn(2, 1000)
     union all select refused from private.take_assistant_turn(2, 1000) $$,
  $$ values (null::text), (null), ('rate') $$,
  'the third question in a minute is refused at a rate of two'
);
select ok(
  (select retry_after between 1 and 60 from private.take_assistant_turn(2, 1000)),
  'with the seconds left in the minute'
);
select results_eq(
  $$ select refused from private.take_assistant_turn(100, 15) $$,
  $$ values ('budget') $$,
  'a question is refused once the organization spent its daily tokens'
);

-- ---------------------------------------------------------------------------
-- Sealed settings
-- ---------------------------------------------------------------------------
select tests.authenticate_as('owner');
select throws_ok(
  $$ select * from private.assistant_settings $$, '42501', null,
  'not even an owner reads the sealed key'
);
select tests.clear_authentication();
set local role service_role;
select is(
  (select key_hint from private.assistant_settings), 'sk-…abcd',
  'the service reads it'
);
reset role;

select * from finish();
rollback;
