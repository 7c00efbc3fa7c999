// Opaque keyset-pagination cursors: the (createdAt, id) of the last user on a page, base64url-encoded JSON.
import { z } from 'zod';

export interface UserCursor {
  createdAt: string;
  id: string;
}

const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

export function encodeCursor(cursor: UserCursor): string {
  return Buffer.from(JSON.stringify({ createdAt: cursor.createdAt, id: cursor.id })).toString('base64url');
}

/** Returns null when the text is not a cursor this service issued. */
export function decodeCursor(text: string): UserCursor | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
