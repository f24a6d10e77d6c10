/**
 * Server-Sent Events as the assistant streams them (`event:` and one `data:` JSON line per
 * frame), parsed for the tests and the benchmark; no stack needed.
 */

/** One Server-Sent Event. */
export type Frame = { event: string; data: Record<string, unknown> }

/** Parses complete `event:`/`data:` frames out of a buffer; returns them and the rest. */
export function parseFrames(buffer: string): { frames: Frame[]; rest: string } {
  const frames: Frame[] = []
  const parts = buffer.split('\n\n')
  const rest = parts.pop() ?? ''
  for (const part of parts) {
    let event = 'message'
    const data: string[] = []
    for (const line of part.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim()
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
    }
    if (data.length) frames.push({ event, data: JSON.parse(data.join('\n')) })
  }
  return { frames, rest }
}
