// Signs HS256 access tokens the way the identity provider in front of the service would.
import { SignJWT } from 'jose';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';

export interface TokenOptions {
  sub: string;
  role?: string;
  secret?: string;
  expiresAt?: Date;
  issuedAt?: Date;
}

export function signToken(options: TokenOptions): Promise<string> {
  const issuedAt = options.issuedAt ?? new Date();
  const jwt = new SignJWT({ role: options.role ?? 'user' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub)
    .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor((options.expiresAt ?? new Date(issuedAt.getTime() + 3_600_000)).getTime() / 1000));
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
