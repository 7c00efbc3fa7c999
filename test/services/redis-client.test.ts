import { describe, expect, it } from 'vitest';
import { encodeCommand, parseReply, RedisReplyError } from '../../src/services/redis-client.js';

describe('RESP parsing', () => {
  it('encodes commands as RESP arrays of bulk strings, counting bytes not characters', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });

  it('parses simple strings, errors, integers, bulk strings, nulls and nested arrays', () => {
    expect(parseReply(Buffer.from('+PONG\r\n'))).toEqual({ value: 'PONG', next: 7 });
    expect(parseReply(Buffer.from(':42\r\n'))?.value).toBe(42);
    expect(parseReply(Buffer.from('$-1\r\n'))?.value).toBeNull();
    expect(parseReply(Buffer.from('$5\r\na\r\nbc\r\n'))?.value).toBe('a\r\nbc');
    expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n*1\r\n:1\r\n'))?.value).toEqual(['a', [1]]);
    const err = parseReply(Buffer.from('-WRONGPASS invalid username-password pair\r\n'))?.value;
    expect(err).toBeInstanceOf(RedisReplyError);
    expect((err as Error).message).toBe('WRONGPASS invalid username-password pair');
  });

  it('waits for more bytes when a reply is incomplete', () => {
    expect(parseReply(Buffer.from('+PO'))).toBeUndefined();
    expect(parseReply(Buffer.from('$5\r\nab'))).toBeUndefined();
    expect(parseReply(Buffer.from('*2\r\n:1\r\n'))).toBeUndefined();
  });

  it('rejects a server that does not speak RESP', () => {
    expect(() => parseReply(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toThrow(/not a Redis server/);
  });
});
