/**
 * Prints how to reach a running local stack: `print-env.ts <stateDir> <apiUrl> <dbUrl>`.
 */
import { readPublicKeys } from './keys.ts'

const [stateDir, apiUrl, dbUrl] = Deno.args
const keys = await readPublicKeys(stateDir)
const rows: [string, string][] = [
  ['API URL', apiUrl],
  ['Functions URL', `${apiUrl}/functions/v1`],
  ['Auth URL', `${apiUrl}/auth/v1`],
  ['Publishable key (anon)', keys.publishableKey],
  ['Secret key (service)', keys.secretKey],
  ['DB URL', dbUrl],
  ['Demo user e-mail', 'demo@lytics.dev'],
  ['Demo user password', 'lytics-demo-2026'],
]
const width = Math.max(...rows.map(([k]) => k.length))
console.log('\nLytics local stack is running.\n')
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`)
console.log(`\n  API docs: ${apiUrl}/docs, or ${apiUrl}/functions/v1/<function>/docs\n`)
