import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/users/cursor.js';

describe('pagination cursors', () => {
  it('round-trip the position of a user', () => {
    const cursor = { createdAt: '2026-01-01T00:00:00.123Z', id: '7d4f3a52-0000-4000-8000-000000000001' };

    const text = encodeCursor(cursor);

    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    ['JSON of the wrong shape', Buffer.from('{"x":1}').toString('base64url')],
    ['a non-UUID id', Buffer.from('{"createdAt":"2026-01-01T00:00:00Z","id":"1 OR 1=1"}').toString('base64url')],
  ])('decode to null for %s', (_label, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});
