/**
 * A request body cap that answers in the project's error shape (413) before the body is
 * read into memory.
 */
import { bodyLimit } from 'hono/body-limit'
import { ApiError } from './errors.ts'

/** Refuses bodies over `maxBytes` with 413 `payload_too_large`. */
export function limitBody(maxBytes: number) {
  const mib = Math.round(maxBytes / (1024 * 1024))
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `the body is larger than ${mib} MiB`)
    },
  })
}
