/**
 * CPU time of the processes an ingestion run keeps busy: the bench client itself, the
 * gateway and the Postgres backends of the local stack. On a machine whose cores are
 * shared, events per second swing with the neighbours' load, while CPU time per event
 * says where the work goes (docs/performance/ingestion.md). Linux only (/proc); elsewhere,
 * or against a remote stack, there is nothing to sample and the bench prints no split.
 */

/** CPU milliseconds (user + system) one process has used so far. */
function cpuMsOf(pid: number | 'self'): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`)
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticksPerSecond = 100 // USER_HZ, 100 on every Linux Deno runs on
    return (Number(fields[11]) + Number(fields[12])) * (1000 / ticksPerSecond)
  } catch {
    return undefined
  }
}

function childrenOf(pid: number): number[] {
  try {
    const out = new Deno.Command('pgrep', { args: ['-P', String(pid)] }).outputSync()
    return new TextDecoder().decode(out.stdout).split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(path).split('\n')[0].trim())
    return pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

/** CPU milliseconds of each side at one moment (Postgres: by process, which may come and go). */
export type CpuSample = { client: number; gateway: number; postgres: Map<number, number> }

/** Where a run's CPU went, in microseconds per row. */
export type CpuSplit = { client: number; gateway: number; postgres: number }

/**
 * A sampler for the local stack whose state directory is `stateDir` (where its keys.json,
 * gateway.pid and db/ live), or undefined when its processes cannot be read.
 */
export function localStackCpu(stateDir: string): (() => CpuSample) | undefined {
  const gateway = readPid(`${stateDir}/gateway.pid`)
  const postmaster = readPid(`${stateDir}/db/postmaster.pid`)
  if (!gateway || !postmaster || cpuMsOf(gateway) === undefined) return undefined
  return () => ({
    client: cpuMsOf('self') ?? 0,
    gateway: cpuMsOf(gateway) ?? 0,
    // Every backend and helper (WAL writer, checkpointer, autovacuum): all of it is the
    // cost of storing. One that exits during the run takes its time with it; the gateway's
    // pool keeps its connections open, so nearly all of it is counted.
    postgres: new Map(childrenOf(postmaster).map((pid) => [pid, cpuMsOf(pid) ?? 0])),
  })
}

/** Microseconds per row on each side between two samples. */
export function cpuPerRow(before: CpuSample, after: CpuSample, rows: number): CpuSplit {
  const per = (ms: number) => (ms * 1000) / rows
  return {
    client: per(after.client - before.client),
    gateway: per(after.gateway - before.gateway),
    postgres: per(
      [...after.postgres].reduce((sum, [pid, ms]) => sum + ms - (before.postgres.get(pid) ?? 0), 0),
    ),
  }
}
