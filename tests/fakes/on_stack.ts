/**
 * The fake providers on the fixed ports that scripts/test pointed the gateway's functions
 * at (LYTICS_FAKE_GOOGLE_PORT, LYTICS_FAKE_INSTAGRAM_PORT), for tests that go through the
 * gateway, and the fake model server (LYTICS_FAKE_OPENAI_PORT, the gateway's
 * OPENAI_BASE_URL). Start them at the top of a test file and close them at its end: deno test runs
 * files one after another, so each file owns the ports while it runs.
 *
 * @example
 * const fakes = startStackFakes()
 * // ... tests ...
 * test('close the fakes', () => fakes.close())
 */
import { type FakeGoogleOptions, startFakeGoogle } from './google/mod.ts'
import { type FakeInstagramOptions, startFakeInstagram } from './instagram/mod.ts'
import { startFakeOpenAI } from './openai/mod.ts'

function portOf(name: string): number {
  const port = Number(Deno.env.get(name))
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`${name} is not set: run the tests with scripts/test`)
  }
  return port
}

export function startStackFakes(
  options: { google?: FakeGoogleOptions; instagram?: FakeInstagramOptions } = {},
) {
  const google = startFakeGoogle({ ...options.google, port: portOf('LYTICS_FAKE_GOOGLE_PORT') })
  const instagram = startFakeInstagram({
    ...options.instagram,
    port: portOf('LYTICS_FAKE_INSTAGRAM_PORT'),
  })
  const openai = startFakeOpenAI({ port: portOf('LYTICS_FAKE_OPENAI_PORT') })
  return {
    google,
    instagram,
    openai,
    close: () => Promise.all([google.close(), instagram.close(), openai.close()]).then(() => {}),
  }
}
