-- The AI analyst (the `assistant` function): conversations and their messages, the
-- organization's own model settings (its key sealed), the token ledger per organization and
-- day, and the per-user request windows of the rate limit.
--
-- Who writes what. A user reads, renames and deletes only their own conversations in their
-- organizations (RLS). A whole turn (question, tool calls and results, answer) is written
-- by one call of private.store_assistant_turn, as the user, only once the turn completed;
-- browsers cannot insert messages or touch the ledger through the Data API (no grant), so
-- neither history nor usage can be forged. The sealed key is read and written by the
-- function as service, after the caller's role was checked in SQL as that user.

-- ===========================================================================
-- conversations
-- ===========================================================================
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Set from the first question unless the user named it first.
  title text check (char_length(btrim(title)) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.conversations enable row level security;
revoke all on public.conversations from anon, authenticated, service_role;
-- A user's list in their active organization, newest first, paged by (created_at, id).
create index conversations_user_id_idx
  on public.conversations (user_id, org_id, created_at desc, id desc);
create index conversations_org_id_idx on public.conversations (org_id);

create trigger conversations_touch before update on public.conversations
  for each row execute function private.touch_updated_at();

-- ===========================================================================
-- messages
-- ===========================================================================
-- One row per message of a turn, in order: the user's question, each assistant message
-- (its text, the tool calls it asked for with their arguments), each tool result, and the
-- answer. What the model was sent back is exactly `content` of the tool rows.
create table public.messages (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  position int not null check (position >= 1),
  role text not null check (role in ('user', 'assistant', 'tool')),
  content text not null default '' check (char_length(content) <= 200000),
  -- assistant: [{ id, name, arguments }] (arguments as the model wrote them).
  tool_calls jsonb check (jsonb_typeof(tool_calls) = 'array'),
  -- tool: the call it answers.
  tool_call_id text check (char_length(tool_call_id) <= 200),
  tool_name text check (char_length(tool_name) <= 100),
  model text check (char_length(model) <= 200),
  prompt_tokens int check (prompt_tokens >= 0),
  completion_tokens int check (completion_tokens >= 0),
  latency_ms int check (latency_ms >= 0),
  created_at timestamptz not null default now(),
  check (role = 'tool' or tool_call_id is null),
  unique (conversation_id, position)
);
alter table public.messages enable row level security;
revoke all on public.messages from anon, authenticated, service_role;
revoke all on sequence public.messages_id_seq from anon, authenticated, service_role;
-- The unique constraint's index starts with conversation_id and serves the foreign key.

-- ===========================================================================
-- assistant_usage: tokens per organization and day (UTC), for the daily budget
-- ===========================================================================
create table public.assistant_usage (
  org_id uuid not null references public.organizations (id) on delete cascade,
  day date not null,
  requests int not null default 0 check (requests >= 0),
  prompt_tokens bigint not null default 0 check (prompt_tokens >= 0),
  completion_tokens bigint not null default 0 check (completion_tokens >= 0),
  primary key (org_id, day)
);
alter table public.assistant_usage enable row level security;
revoke all on public.assistant_usage from anon, authenticated, service_role;

-- ===========================================================================
-- assistant_rate_windows: questions per user and minute, for the rate limit
-- ===========================================================================
create table private.assistant_rate_windows (
  user_id uuid not null references auth.users (id) on delete cascade,
  window_start timestamptz not null,
  requests int not null default 0 check (requests >= 0),
  primary key (user_id, window_start)
);
alter table private.assistant_rate_windows enable row level security;
revoke all on private.assistant_rate_windows from anon, authenticated, service_role;

-- ===========================================================================
-- assistant_settings: an organization's own model provider, its key sealed
-- ===========================================================================
-- AES-256-GCM as source credentials (shared/credentials.ts), bound to `assistant:<org id>`.
-- Only a masked hint of the key is kept in clear, for the settings page.
create table private.assistant_settings (
  org_id uuid primary key references public.organizations (id) on delete cascade,
  key_id text not null check (key_id ~ '^[A-Za-z0-9_-]{1,32}$'),
  iv bytea not null check (length(iv) = 12),
  ciphertext bytea not null,
  key_hint text not null check (char_length(key_hint) <= 20),
  base_url text check (base_url ~ '^https?://' and char_length(base_url) <= 500),
  model text check (char_length(model) between 1 and 200),
  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now()
);
alter table private.assistant_settings enable row level security;
revoke all on private.assistant_settings from anon, authenticated, service_role;
create index assistant_settings_updated_by_idx on private.assistant_settings (updated_by);

-- ===========================================================================
-- Functions
-- ===========================================================================
-- Adds tokens to the caller's active organization's ledger for today (UTC). Called when a
-- turn is stored, and for a failed turn whose model calls were already paid for.
create function private.add_assistant_usage(prompt bigint, completion bigint, turns int default 0)
returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  org uuid := private.active_org_id();
begin
  if org is null then
    raise exception 'organization not found' using errcode = 'LY404';
  end if;
  if prompt < 0 or completion < 0 or turns < 0 then
    raise exception 'usage cannot be negative' using errcode = 'LY400';
  end if;
  insert into public.assistant_usage as u (org_id, day, requests, prompt_tokens, completion_tokens)
  values (org, (now() at time zone 'UTC')::date, turns, prompt, completion)
  on conflict (org_id, day) do update set
    requests = u.requests + excluded.requests,
    prompt_tokens = u.prompt_tokens + excluded.prompt_tokens,
    completion_tokens = u.completion_tokens + excluded.completion_tokens;
end
$$;
revoke all on function private.add_assistant_usage(bigint, bigint, int)
  from public, anon, authenticated, service_role;
grant execute on function private.add_assistant_usage(bigint, bigint, int) to authenticated;

-- Admits one more question of the caller, or says why not and for how many seconds:
-- 'budget' when the active organization's tokens of today (UTC) reached `daily_tokens`
-- (until midnight UTC), 'rate' when the caller asked `per_minute` questions this minute.
-- An admitted question is counted; a refused one is not.
create function private.take_assistant_turn(per_minute int, daily_tokens bigint)
returns table (refused text, retry_after int)
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  org uuid := private.active_org_id();
  me uuid := (select auth.uid());
  used bigint;
  this_minute timestamptz := date_trunc('minute', now());
  asked int;
begin
  if org is null or me is null then
    raise exception 'organization not found' using errcode = 'LY404';
  end if;
  select coalesce(sum(u.prompt_tokens + u.completion_tokens), 0) into used
  from public.assistant_usage u
  where u.org_id = org and u.day = (now() at time zone 'UTC')::date;
  if used >= daily_tokens then
    return query select 'budget'::text, greatest(1, ceil(extract(epoch from
      (date_trunc('day', now() at time zone 'UTC') + interval '1 day') - (now() at time zone 'UTC')
    ))::int);
    return;
  end if;
  delete from private.assistant_rate_windows w
  where w.user_id = me and w.window_start < this_minute - interval '1 hour';
  insert into private.assistant_rate_windows as w (user_id, window_start, requests)
  values (me, this_minute, 1)
  on conflict (user_id, window_start) do update set requests = w.requests + 1
  returning w.requests into asked;
  if asked > per_minute then
    update private.assistant_rate_windows w set requests = w.requests - 1
    where w.user_id = me and w.window_start = this_minute;
    return query select 'rate'::text,
      greatest(1, ceil(extract(epoch from this_minute + interval '1 minute' - now()))::int);
    return;
  end if;
  return query select null::text, 0;
end
$$;
revoke all on function private.take_assistant_turn(int, bigint)
  from public, anon, authenticated, service_role;
grant execute on function private.take_assistant_turn(int, bigint) to authenticated;

-- Stores a completed turn in one statement: `turn` is the array of its messages in order
-- (user question first). Only into the caller's own conversation in their active
-- organization (else LY404, and nothing is written); sets the title from the question when
-- there is none, and adds the turn's tokens to the ledger. Returns the new ids in order.
create function private.store_assistant_turn(conversation uuid, turn jsonb,
                                             prompt bigint, completion bigint)
returns setof bigint
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  last_position int;
  question text;
begin
  perform 1 from public.conversations c
  where c.id = conversation and c.user_id = (select auth.uid())
    and c.org_id = private.active_org_id()
  for update;
  if not found then
    raise exception 'conversation not found' using errcode = 'LY404';
  end if;
  if jsonb_typeof(turn) <> 'array' or jsonb_array_length(turn) = 0
     or turn -> 0 ->> 'role' <> 'user' then
    raise exception 'a turn starts with the user''s question' using errcode = 'LY400';
  end if;
  select coalesce(max(m.position), 0) into last_position
  from public.messages m where m.conversation_id = conversation;
  question := turn -> 0 ->> 'content';
  update public.conversations c set
    title = coalesce(c.title, left(regexp_replace(btrim(question), '\s+', ' ', 'g'), 80)),
    updated_at = now()
  where c.id = conversation;
  perform private.add_assistant_usage(prompt, completion, 1);
  return query
  insert into public.messages (conversation_id, position, role, content, tool_calls,
                               tool_call_id, tool_name, model, prompt_tokens,
                               completion_tokens, latency_ms)
  select conversation, last_position + t.n::int, t.m ->> 'role', coalesce(t.m ->> 'content', ''),
         nullif(t.m -> 'tool_calls', 'null'::jsonb), t.m ->> 'tool_call_id', t.m ->> 'tool_name', t.m ->> 'model',
         (t.m ->> 'prompt_tokens')::int, (t.m ->> 'completion_tokens')::int,
         (t.m ->> 'latency_ms')::int
  from jsonb_array_elements(turn) with ordinality as t(m, n)
  order by t.n
  returning id;
end
$$;
revoke all on function private.store_assistant_turn(uuid, jsonb, bigint, bigint)
  from public, anon, authenticated, service_role;
grant execute on function private.store_assistant_turn(uuid, jsonb, bigint, bigint)
  to authenticated;

-- ===========================================================================
-- Grants
-- ===========================================================================
grant select, insert, delete on public.conversations to authenticated;
grant update (title) on public.conversations to authenticated;
grant select on public.messages, public.assistant_usage to authenticated;
grant select, insert, update, delete on private.assistant_settings to service_role;

-- ===========================================================================
-- Policies
-- ===========================================================================
create policy "Users can read their own conversations" on public.conversations
  for select to authenticated
  using (user_id = (select auth.uid())
         and org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Users can start conversations in their organizations" on public.conversations
  for insert to authenticated
  with check (user_id = (select auth.uid())
              and org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Users can rename their own conversations" on public.conversations
  for update to authenticated
  using (user_id = (select auth.uid())
         and org_id = any ((select private.my_org_ids())::uuid[]))
  with check (user_id = (select auth.uid())
              and org_id = any ((select private.my_org_ids())::uuid[]));

create policy "Users can delete their own conversations" on public.conversations
  for delete to authenticated
  using (user_id = (select auth.uid())
         and org_id = any ((select private.my_org_ids())::uuid[]));

-- Through the conversation's own policy: visible exactly when the conversation is.
create policy "Users can read the messages of their own conversations" on public.messages
  for select to authenticated
  using (exists (select 1 from public.conversations c where c.id = conversation_id));

create policy "Members can read their organization's assistant usage" on public.assistant_usage
  for select to authenticated
  using (org_id = any ((select private.my_org_ids())::uuid[]));
