import { describe, expect, it } from 'vitest';
import { maskUrl, secretsOfUrl } from '../../src/services/mask-url.js';

describe('maskUrl', () => {
  it('masks the password and keeps user, host, port and path', () => {
    expect(maskUrl('postgres://app:s3cret@db.internal:5432/app')).toBe('postgres://app:***@db.internal:5432/app');
    expect(maskUrl('redis://:pw@127.0.0.1:6379/2')).toBe('redis://:***@127.0.0.1:6379/2');
  });

  it('masks password query parameters', () => {
    expect(maskUrl('postgresql://app@db/app?sslmode=require&password=hunter2')).toBe(
      'postgresql://app@db/app?sslmode=require&password=***',
    );
  });

  it('leaves URLs without secrets unchanged', () => {
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('masks text that is not a parseable URL', () => {
    expect(maskUrl('postgres://app:p@ss word@db:99999/x')).not.toContain('ss word');
    expect(maskUrl('postgres://app:p@ss word@db:99999/x')).toContain('***');
  });
});

describe('secretsOfUrl', () => {
  it('lists the password (encoded and decoded) and the URL', () => {
    const url = 'postgres://app:p%40ss@db/app';
    expect(secretsOfUrl(url)).toEqual(['p%40ss', 'p@ss', url]);
  });

  it('lists nothing for a URL without credentials', () => {
    expect(secretsOfUrl('redis://127.0.0.1:6379')).toEqual([]);
  });
});
