/**
 * The memory of this process as the edge runtime would judge it. A hosted function's
 * isolate has 256 MB; the runtime counts the V8 heap plus the memory it holds outside the
 * heap (ArrayBuffers), so both are reported, beside the resident size.
 */

const MB = 1024 * 1024

/** Figures in MiB, rounded to one decimal. */
export type MemoryReport = {
  /** Resident set size now. */
  rss_mb: number
  /** The most this process has ever been resident (Linux VmHWM); null elsewhere. */
  peak_rss_mb: number | null
  heap_used_mb: number
  heap_total_mb: number
  /** ArrayBuffers and other memory V8 tracks outside its heap. */
  external_mb: number
  /** heap_used + external at its highest since sampling started, when sampled. */
  peak_heap_external_mb: number | null
  limit_mb: number
  /** True when the resident size passes the limit a hosted function would be held to. */
  over_limit: boolean
}

const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10

/** VmHWM of /proc/self/status, in bytes; undefined where there is no procfs. */
function peakRssBytes(): number | undefined {
  try {
    const status = Deno.readTextFileSync('/proc/self/status')
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb) * 1024
  } catch {
    return undefined
  }
}

let sampledPeak: number | undefined

/**
 * Samples heap + external every `everyMs` so a peak between two reports is seen (a
 * synchronous JSON.parse still hides its own peak until it returns; the resident peak
 * does not). Returns a stop function.
 */
export function sampleMemory(everyMs = 5): () => void {
  const sample = () => {
    const { heapUsed, external } = Deno.memoryUsage()
    sampledPeak = Math.max(sampledPeak ?? 0, heapUsed + external)
  }
  sample()
  const timer = setInterval(sample, everyMs)
  Deno.unrefTimer(timer)
  return () => clearInterval(timer)
}

/** The process's memory now, against `limitMb`. */
export function memoryReport(limitMb = 256): MemoryReport {
  const usage = Deno.memoryUsage()
  const peak = peakRssBytes()
  if (sampledPeak !== undefined) {
    sampledPeak = Math.max(sampledPeak, usage.heapUsed + usage.external)
  }
  return {
    rss_mb: mb(usage.rss),
    peak_rss_mb: peak === undefined ? null : mb(peak),
    heap_used_mb: mb(usage.heapUsed),
    heap_total_mb: mb(usage.heapTotal),
    external_mb: mb(usage.external),
    peak_heap_external_mb: sampledPeak === undefined ? null : mb(sampledPeak),
    limit_mb: limitMb,
    over_limit: usage.rss > limitMb * MB,
  }
}
