/**
 * The fake providers on the fixed ports that scripts/test pointed the gateway's functions
 * at (LYTICS_FAKE_GOOGLE_PORT, LYTICS_FAKE_INSTAGRAM_PORT), for tests that go through the
 * gateway. Start them at the top of a test file and close them at its end: deno test runs
 * files one after another, so each file owns the ports while it runs.
 *
 * @example
 * const fakes = startStackFakes()
 * // ... tests ...
 * test('close the fakes', () => fakes.close())
 */
import { type FakeGoogleOptions, startFakeGoogle } from './google/mod.ts'
import { type FakeInstagramOptions, startFakeInstagram } from './instagram/mod.ts'

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
  return {
    google,
    instagram,
    close: () => Promise.all([google.close(), instagram.close()]).then(() => {}),
  }
}
