/**
 * The SQL of conversations, as the caller: RLS shows a user only their own, and every
 * query also keeps to their active organization, so another user's or another
 * organization's conversation is simply not found (404).
 */
import type { Tx } from '../../../../shared/db.ts'

export type ConversationRow = {
  id: string
  title: string | null
  created_at: Date
  updated_at: Date
}

export type MessageRow = {
  id: string
  position: number
  role: 'user' | 'assistant' | 'tool'
  content: string
  tool_calls: { id: string; name: string; arguments: string }[] | null
  tool_call_id: string | null
  tool_name: string | null
  model: string | null
  prompt_tokens: number | null
  completion_tokens: number | null
  latency_ms: number | null
  created_at: Date
}

/** Starts a conversation of the caller in their active organization. */
export async function createConversation(
  tx: Tx,
  { orgId, title }: { orgId: string; title: string | null },
): Promise<ConversationRow> {
  const [row] = await tx<ConversationRow[]>`
    insert into public.conversations (org_id, user_id, title)
    values (${orgId}, auth.uid(), ${title})
    returning id, title, created_at, updated_at`
  return row
}

/**
 * One page of the caller's conversations, newest first. The cursor is the last id of the
 * previous page; a page after a conversation deleted meanwhile is empty.
 */
export function listConversations(
  tx: Tx,
  { orgId, after, limit }: { orgId: string; after: string | null; limit: number },
): Promise<ConversationRow[]> {
  const page = after
    ? tx`and (c.created_at, c.id) < (select p.created_at, p.id from public.conversations p
                                     where p.id = ${after})`
    : tx``
  return tx<ConversationRow[]>`
    select c.id, c.title, c.created_at, c.updated_at from public.conversations c
    where c.org_id = ${orgId} and c.user_id = auth.uid() ${page}
    order by c.created_at desc, c.id desc
    limit ${limit}`
}

/** The caller's conversation in their active organization, or undefined. */
export async function findConversation(
  tx: Tx,
  { orgId, id }: { orgId: string; id: string },
): Promise<ConversationRow | undefined> {
  const [row] = await tx<ConversationRow[]>`
    select id, title, created_at, updated_at from public.conversations
    where id = ${id} and org_id = ${orgId}`
  return row
}

/** Every message of a conversation, in order. */
export function conversationMessages(
  tx: Tx,
  { conversationId }: { conversationId: string },
): Promise<MessageRow[]> {
  return tx<MessageRow[]>`
    select id::text, position, role, content, tool_calls, tool_call_id, tool_name, model,
           prompt_tokens, completion_tokens, latency_ms, created_at
    from public.messages where conversation_id = ${conversationId}
    order by position`
}

/**
 * The last `limit` messages of a conversation, in order: what a turn may send as context
 * (trimmed further by tokens), without reading a long conversation whole.
 */
export function latestMessages(
  tx: Tx,
  { conversationId, limit }: { conversationId: string; limit: number },
): Promise<MessageRow[]> {
  return tx<MessageRow[]>`
    select * from (
      select id::text, position, role, content, tool_calls, tool_call_id, tool_name, model,
             prompt_tokens, completion_tokens, latency_ms, created_at
      from public.messages where conversation_id = ${conversationId}
      order by position desc limit ${limit}
    ) latest order by position`
}

/** Renames the caller's conversation; undefined when it is not theirs to see. */
export async function renameConversation(
  tx: Tx,
  { orgId, id, title }: { orgId: string; id: string; title: string },
): Promise<ConversationRow | undefined> {
  const [row] = await tx<ConversationRow[]>`
    update public.conversations set title = ${title}
    where id = ${id} and org_id = ${orgId}
    returning id, title, created_at, updated_at`
  return row
}

/** Deletes the caller's conversation with its messages; false when it is not theirs. */
export async function deleteConversation(
  tx: Tx,
  { orgId, id }: { orgId: string; id: string },
): Promise<boolean> {
  const rows = await tx`
    delete from public.conversations where id = ${id} and org_id = ${orgId} returning id`
  return rows.length > 0
}
