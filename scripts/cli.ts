/**
 * Command lines of the Deno scripts (bench, bench:memory, seed:large): `--help` prints the
 * usage and exits 0; an unknown option or a bad value prints what is wrong and the usage,
 * and exits 2, rather than an uncaught error's stack.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

/**
 * A script's command line from its usage text and its options; `--help` and `-h` print
 * the usage.
 *
 * @example
 * const cli = commandLine('usage: deno task x -- [--n N]', { n: { type: 'string', default: '1' } })
 * const values = cli.parse()
 * const n = cli.wholeNumber('n', values.n, { min: 1 })
 */
export function commandLine<O extends Options>(usage: string, options: O) {
  /** Prints `message` and the usage to stderr, and exits 2. */
  function fail(message: string): never {
    console.error(`${message}\n\n${usage}`)
    Deno.exit(2)
  }
  return {
    fail,
    /** The options of `args`; a leading `--` (as `deno task x -- --flag` passes it) is skipped. */
    parse(args: string[] = Deno.args) {
      const given = args[0] === '--' ? args.slice(1) : args
      if (given.includes('--help') || given.includes('-h')) {
        console.log(usage)
        Deno.exit(0)
      }
      try {
        return parseArgs({ args: given, options, strict: true, allowPositionals: false }).values
      } catch (err) {
        return fail((err as Error).message)
      }
    },
    /** `value`, the text of `--name`, as a whole number of at least `min` (default 0). */
    wholeNumber(name: string, value: string, limits: { min?: number } = {}): number {
      const min = limits.min ?? 0
      if (!/^\d+$/.test(value) || Number(value) < min) {
        fail(`--${name} expects a whole number of at least ${min}, not '${value}'`)
      }
      return Number(value)
    },
  }
}
