/**
 * Reads a file as UTF-8 text in large chunks through one reused buffer (memory does not grow with file size), and
 * reports invalid UTF-8 instead of silently replacing it.
 *
 * Reads are synchronous on purpose: parsing is CPU-bound anyway, and a thread-pool round trip per read made
 * ingesting 4,000 small files ~2x slower. Callers that must keep an event loop responsive should run the
 * report in a worker or a child process.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const CHUNK_BYTES = 1 << 20;

export interface ChunkReadResult {
  bytes: number;
  /** Byte offset of the chunk where invalid UTF-8 was first seen (bytes were replaced by U+FFFD), or -1. */
  invalidUtf8At: number;
  /** True when `onChunk` asked to stop early. */
  stopped: boolean;
}

let shared: Buffer | undefined;

/**
 * Calls `onChunk` with successive decoded text chunks. Return `false` from `onChunk` to stop reading.
 * A UTF-8 BOM is dropped. Invalid byte sequences are replaced with U+FFFD and reported in the result.
 */
export function readTextChunks(path: string, onChunk: (text: string) => boolean | void): ChunkReadResult {
  const fd = openSync(path, 'r');
  // One buffer for the whole process: files are read one after the other. A concurrent caller gets its own.
  const buf = shared ?? Buffer.allocUnsafe(CHUNK_BYTES);
  shared = undefined;
  let decoder = new TextDecoder('utf-8', { fatal: true });
  let invalidUtf8At = -1;
  let bytes = 0;
  let stopped = false;
  try {
    for (;;) {
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const view = buf.subarray(0, bytesRead);
      let text: string;
      try {
        text = decoder.decode(view, { stream: true });
      } catch {
        invalidUtf8At = bytes;
        decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: bytes > 0 });
        text = decoder.decode(view, { stream: true });
      }
      bytes += bytesRead;
      if (text.length > 0 && onChunk(text) === false) {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      let tail: string;
      try {
        tail = decoder.decode();
      } catch {
        if (invalidUtf8At < 0) invalidUtf8At = bytes;
        tail = '\uFFFD';
      }
      if (tail.length > 0) stopped = onChunk(tail) === false;
    }
  } finally {
    shared = buf;
    closeSync(fd);
  }
  return { bytes, invalidUtf8At, stopped };
}
