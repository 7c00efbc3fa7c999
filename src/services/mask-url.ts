/**
 * Connection URLs carry passwords; every message that names one goes through maskUrl() first.
 */

const SECRET_PARAMS = new Set(['password', 'pass', 'sslpassword', 'auth']);

/**
 * `postgres://app:s3cret@db:5432/app?password=x` -> `postgres://app:***@db:5432/app?password=***`.
 * The user name stays (it helps debugging); the password in the authority and in `password=`-like query parameters is
 * replaced. A string that is not a parseable URL is masked textually (anything between `//user:` and `@`).
 */
export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/(\/\/[^/:@]*:)[^/]*@/, '$1***@').replace(/([?&](?:password|pass|sslpassword|auth)=)[^&]*/gi, '$1***');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.has(key.toLowerCase())) parsed.searchParams.set(key, '***');
  }
  // URLSearchParams percent-encodes `*`; keep the mask readable.
  return parsed.toString().replace(/%2A%2A%2A/g, '***');
}

/** The secrets a URL carries (decoded password and the URL itself), for StartedServices.secrets. */
export function secretsOfUrl(url: string): string[] {
  const secrets: string[] = [];
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      secrets.push(parsed.password);
      const decoded = decodeURIComponent(parsed.password);
      if (decoded !== parsed.password) secrets.push(decoded);
      secrets.push(url);
    }
    for (const [key, value] of parsed.searchParams) {
      if (SECRET_PARAMS.has(key.toLowerCase()) && value) secrets.push(value, url);
    }
  } catch {
    // Not a URL: nothing we can identify as a secret beyond the whole string.
    if (url.includes('@')) secrets.push(url);
  }
  return [...new Set(secrets)];
}
