/**
 * The local stand-ins for pg_net and Vault (local/db/bootstrap.sql, local/net/worker.ts):
 * what a migration's `net.http_post` queues is sent only once committed, its response is
 * recorded in net._http_response, and Vault keeps secrets that postgres can read and the
 * API roles cannot.
 */
import assert from 'node:assert/strict'
import { adminSql, stack, test } from '../_helpers/stack.ts'

type Received = { marker: string; body: unknown; headers: Headers; url: URL }

/** A listener on a random port that records every request and answers 201 with JSON. */
function startListener(delayMs = 0) {
  const received: Received[] = []
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url)
    const body = req.method === 'POST' ? await req.json() : null
    received.push({ marker: url.searchParams.get('marker') ?? '', body, headers: req.headers, url })
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
    return Response.json({ ok: true, marker: url.searchParams.get('marker') }, {
      status: 201,
      headers: { 'x-listener': 'yes' },
    })
  })
  return {
    url: `http://127.0.0.1:${server.addr.port}/wake`,
    received,
    close: () => server.shutdown(),
  }
}

type ResponseRow = {
  status_code: number | null
  content_type: string | null
  headers: Record<string, string> | null
  content: string | null
  timed_out: boolean | null
  error_msg: string | null
}

async function waitForResponse(id: string, timeoutMs = 10_000): Promise<ResponseRow> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const [row] = await adminSql<ResponseRow[]>`
      select status_code, content_type, headers, content, timed_out, error_msg
      from net._http_response where id = ${id}`
    if (row) return row
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`no response recorded for request ${id}`)
}

test('a committed net.http_post is sent after commit, with its body, params and headers', async () => {
  const listener = startListener()
  try {
    const [{ id }] = await adminSql<{ id: string }[]>`
      select net.http_post(
        url := ${listener.url},
        body := ${adminSql.json({ source: 'cron', n: 1 })},
        params := ${adminSql.json({ marker: 'committed one', b: 'x&y' })},
        headers := jsonb_build_object('Content-Type', 'application/json',
                                      'Authorization', 'Bearer local-secret')
      )::text as id`
    const response = await waitForResponse(id)
    assert.equal(listener.received.length, 1)
    const [request] = listener.received
    assert.deepEqual(request.body, { source: 'cron', n: 1 })
    assert.equal(request.marker, 'committed one')
    assert.equal(request.url.searchParams.get('b'), 'x&y')
    assert.equal(request.headers.get('authorization'), 'Bearer local-secret')
    assert.equal(request.headers.get('content-type'), 'application/json')
    assert.equal(response.status_code, 201)
    assert.match(response.content_type ?? '', /application\/json/)
    assert.equal(response.headers?.['x-listener'], 'yes')
    assert.deepEqual(JSON.parse(response.content ?? ''), { ok: true, marker: 'committed one' })
    assert.equal(response.timed_out, false)
    assert.equal(response.error_msg, null)
    const [queued] = await adminSql`select count(*)::int as n from net.http_request_queue
                                    where id = ${id}`
    assert.equal(queued.n, 0, 'a sent request leaves the queue')
  } finally {
    await listener.close()
  }
})

test('a rolled-back net.http_post is never sent', async () => {
  const listener = startListener()
  try {
    await adminSql.begin(async (tx) => {
      await tx`select net.http_post(${listener.url}, params := ${
        tx.json({ marker: 'rolled back' })
      })`
      // Held open long enough for a worker that read uncommitted rows to have sent it.
      await tx`select pg_sleep(0.5)`
      throw new Error('rollback')
    }).catch((err) => assert.equal(err.message, 'rollback'))
    // Requests are sent in id order: once a later one arrives, the earlier would have too.
    const [{ id }] = await adminSql<{ id: string }[]>`
      select net.http_post(${listener.url}, params := ${
      adminSql.json({ marker: 'after' })
    })::text as id`
    await waitForResponse(id)
    assert.deepEqual(listener.received.map((r) => r.marker), ['after'])
  } finally {
    await listener.close()
  }
})

test('a request past its timeout_milliseconds is recorded as timed out; a refused one as an error', async () => {
  const slow = startListener(1500)
  const closed = startListener()
  const closedUrl = closed.url
  await closed.close()
  try {
    const [{ slowId, refusedId }] = await adminSql<{ slowId: string; refusedId: string }[]>`
      select net.http_post(${slow.url}, timeout_milliseconds := 200)::text as "slowId",
             net.http_get(${closedUrl})::text as "refusedId"`
    const timedOut = await waitForResponse(slowId)
    assert.equal(timedOut.timed_out, true)
    assert.equal(timedOut.status_code, null)
    assert.match(timedOut.error_msg ?? '', /Timeout of 200 ms/)
    const refused = await waitForResponse(refusedId)
    assert.equal(refused.status_code, null)
    assert.ok(refused.error_msg, 'a refused connection is recorded with its error')
  } finally {
    await slow.close()
  }
})

test('net.http_post has pg_net signature and checks; the worker is up', async () => {
  const [fn] = await adminSql<{ args: string; result: string }[]>`
    select pg_get_function_arguments('net.http_post'::regproc) as args,
           pg_get_function_result('net.http_post'::regproc) as result`
  assert.equal(
    fn.args,
    `url text, body jsonb DEFAULT '{}'::jsonb, params jsonb DEFAULT '{}'::jsonb, ` +
      `headers jsonb DEFAULT '{"Content-Type": "application/json"}'::jsonb, ` +
      `timeout_milliseconds integer DEFAULT 5000`,
  )
  assert.equal(fn.result, 'bigint')
  await assert.rejects(
    adminSql`select net.http_post('http://127.0.0.1:9/', headers := '{"Content-Type": "text/plain"}')`,
    /Content-Type header must be "application\/json"/,
  )
  await adminSql`select net.check_worker_is_up()`
})

test('vault: postgres creates, updates and reads secrets; the table holds only ciphertext', async () => {
  const name = `test_secret_${crypto.randomUUID().slice(0, 8)}`
  const [{ id }] = await adminSql<{ id: string }[]>`
    select vault.create_secret('plain-value-1', ${name}, 'a test secret') as id`
  const [stored] = await adminSql`select secret from vault.secrets where id = ${id}`
  assert.ok(!stored.secret.includes('plain-value-1'), 'vault.secrets holds ciphertext')
  await adminSql`select vault.update_secret(${id}, 'plain-value-2')`
  const [row] = await adminSql`
    select name, description, decrypted_secret from vault.decrypted_secrets where id = ${id}`
  assert.deepEqual({ ...row }, {
    name,
    description: 'a test secret',
    decrypted_secret: 'plain-value-2',
  })
  await adminSql`delete from vault.secrets where id = ${id}`
})

test('vault: the decrypted_secrets view has supabase_vault columns', async () => {
  const columns = await adminSql<{ column_name: string }[]>`
    select column_name from information_schema.columns
    where table_schema = 'vault' and table_name = 'decrypted_secrets' order by ordinal_position`
  assert.deepEqual(columns.map((c) => c.column_name), [
    'id',
    'name',
    'description',
    'secret',
    'decrypted_secret',
    'key_id',
    'nonce',
    'created_at',
    'updated_at',
  ])
})

test('vault: anon and authenticated can neither read nor create secrets', async () => {
  for (const role of ['anon', 'authenticated']) {
    for (
      const statement of [
        'select decrypted_secret from vault.decrypted_secrets',
        'select secret from vault.secrets',
        `select vault.create_secret('x', 'nope')`,
        `select vault._crypto_aead_det_decrypt('\\x00'::bytea, '\\x00'::bytea, 0)`,
      ]
    ) {
      await assert.rejects(
        adminSql.begin(async (tx) => {
          await tx.unsafe(`set local role ${role}`)
          await tx.unsafe(statement)
        }),
        /permission denied/,
        `${role}: ${statement}`,
      )
    }
  }
})

test('the stack stored the functions URL and the secret key in Vault', async () => {
  const rows = await adminSql<{ name: string; decrypted_secret: string }[]>`
    select name, decrypted_secret from vault.decrypted_secrets
    where name in ('lytics_functions_url', 'lytics_sync_secret') order by name`
  assert.deepEqual(rows.map((r) => ({ ...r })), [
    { name: 'lytics_functions_url', decrypted_secret: `${stack.apiUrl}/functions/v1` },
    { name: 'lytics_sync_secret', decrypted_secret: stack.secretKey },
  ])
})

test('a pg_dump as postgres succeeds and holds Vault secrets only as ciphertext', async () => {
  const marker = `dump-probe-${crypto.randomUUID()}`
  const [{ id }] = await adminSql<{ id: string }[]>`
    select vault.create_secret(${marker}, ${`dump_probe_${marker.slice(-8)}`}) as id`
  try {
    const dump = await new Deno.Command('pg_dump', {
      args: ['--dbname', stack.dbUrl, '--schema', 'vault', '--schema', 'net'],
      stdout: 'piped',
      stderr: 'piped',
    }).output()
    assert.equal(dump.code, 0, new TextDecoder().decode(dump.stderr))
    const text = new TextDecoder().decode(dump.stdout)
    assert.ok(text.includes(id), 'the secret row is in the dump')
    assert.ok(!text.includes(marker), 'its plaintext is not')
    assert.ok(!text.includes(stack.secretKey), 'nor the stored secret key')
  } finally {
    await adminSql`delete from vault.secrets where id = ${id}`
  }
})
