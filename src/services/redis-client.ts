/**
 * A minimal Redis client (RESP2 over node:net / node:tls): opens one connection for a redis:// or rediss:// URL,
 * authenticates with the URL's credentials, selects the URL's database, sends commands and returns their replies.
 * Enough for readiness checks (PING, INFO) and tests (SET/GET); no pooling, pipelining API or pub/sub.
 */
import net from 'node:net';
import tls from 'node:tls';

export type RedisReply = string | number | null | RedisReply[];

/** An error reply from the server (`-ERR ...`, `-NOAUTH ...`, `-WRONGPASS ...`). */
export class RedisReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisReplyError';
  }
}

interface Parsed {
  value: RedisReply | RedisReplyError;
  next: number;
}

/** Parses one reply starting at `offset`; undefined when the buffer does not hold a complete reply yet. */
export function parseReply(buf: Buffer, offset = 0): Parsed | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RedisReplyError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RedisReply[] = [];
      let pos = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, pos);
        if (!item) return undefined;
        if (item.value instanceof RedisReplyError) throw item.value;
        items.push(item.value);
        pos = item.next;
      }
      return { value: items, next: pos };
    }
    default:
      throw new Error(`not a Redis server: unexpected reply ${JSON.stringify(buf.toString('utf8', offset, lineEnd))}`);
  }
}

export function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

export interface RedisCallOptions {
  /** Whole exchange (connect + all replies) must finish within this many ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Connects to `url`, sends AUTH (if the URL has credentials) and SELECT (if it has a /db path), then `commands`,
 * and resolves with the replies to `commands`. Rejects with RedisReplyError on the first error reply, and with the
 * socket error (ECONNREFUSED, ...) or a timeout error otherwise. The connection is always closed.
 */
export function redisCommands(url: string, commands: readonly (readonly string[])[], opts: RedisCallOptions): Promise<RedisReply[]> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return Promise.reject(new Error(`not a redis:// or rediss:// URL (protocol ${parsed.protocol})`));
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');

  const preamble: string[][] = [];
  if (password) preamble.push(user ? ['AUTH', user, password] : ['AUTH', password]);
  if (db && db !== '0') preamble.push(['SELECT', db]);
  const all = [...preamble, ...commands];

  return new Promise<RedisReply[]>((resolve, reject) => {
    const socket =
      parsed.protocol === 'rediss:' ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    let buf: Buffer = Buffer.alloc(0);
    const replies: RedisReply[] = [];
    let settled = false;

    const finish = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(replies.slice(preamble.length));
    };
    const onAbort = (): void => finish(new Error('aborted'));
    const timer = setTimeout(
      () => finish(new Error(`no answer within ${opts.timeoutMs} ms`)),
      Math.max(0, opts.timeoutMs),
    );
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    socket.on(parsed.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => {
      socket.write(Buffer.concat(all.map((c) => encodeCommand(c))));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      try {
        let item = parseReply(buf);
        while (item) {
          if (item.value instanceof RedisReplyError) return finish(item.value);
          replies.push(item.value);
          buf = buf.subarray(item.next);
          if (replies.length === all.length) return finish(undefined);
          item = parseReply(buf);
        }
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('connection closed by the server before it answered')));
  });
}
