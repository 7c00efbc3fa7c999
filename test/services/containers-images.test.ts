import { describe, expect, it } from 'vitest';
import { demuxLogs } from '../../src/services/containers.js';
import { imageFor, recipeFor } from '../../src/services/containers-images.js';

describe('image selection for the containers provider', () => {
  it('uses the official alpine images with the requested version, 16 / 7 by default', () => {
    expect(imageFor({ kind: 'postgres' })).toBe('postgres:16-alpine');
    expect(imageFor({ kind: 'postgres', version: '15' })).toBe('postgres:15-alpine');
    expect(imageFor({ kind: 'postgres', version: '16.4' })).toBe('postgres:16.4-alpine');
    expect(imageFor({ kind: 'redis' })).toBe('redis:7-alpine');
  });

  it('keeps a version that already names a variant as the tag', () => {
    expect(imageFor({ kind: 'postgres', version: '16-bookworm' })).toBe('postgres:16-bookworm');
  });

  it('prefers the spec image, then the option, then BACKEND_CI_*_IMAGE', () => {
    const env = { BACKEND_CI_POSTGRES_IMAGE: 'backend-ci/postgres:15', BACKEND_CI_REDIS_IMAGE: 'backend-ci/redis:7' };
    expect(imageFor({ kind: 'postgres' }, { env })).toBe('backend-ci/postgres:15');
    expect(imageFor({ kind: 'redis', version: '6' }, { env })).toBe('backend-ci/redis:7');
    expect(imageFor({ kind: 'postgres' }, { env, images: { postgres: 'pg:x' } })).toBe('pg:x');
    expect(imageFor({ kind: 'postgres', image: 'mine:1' }, { env, images: { postgres: 'pg:x' } })).toBe('mine:1');
  });

  it('fills {version} in a configured image with the requested or default version', () => {
    const env = { BACKEND_CI_POSTGRES_IMAGE: 'registry.local/pg:{version}' };
    expect(imageFor({ kind: 'postgres', version: '15' }, { env })).toBe('registry.local/pg:15');
    expect(imageFor({ kind: 'postgres' }, { env })).toBe('registry.local/pg:16');
  });

  it('ignores an empty image variable', () => {
    expect(imageFor({ kind: 'redis' }, { env: { BACKEND_CI_REDIS_IMAGE: ' ' } })).toBe('redis:7-alpine');
  });
});

describe('container recipes', () => {
  it('puts the generated password in the URL and in the server configuration', () => {
    const pg = recipeFor('postgres', 'pw_1');
    expect(pg.environment.POSTGRES_PASSWORD).toBe('pw_1');
    expect(pg.url('127.0.0.1', 40001)).toBe('postgres://postgres:pw_1@127.0.0.1:40001/postgres');
    const redis = recipeFor('redis', 'pw_2');
    expect(redis.command.slice(0, 3)).toEqual(['redis-server', '--requirepass', 'pw_2']);
    expect(redis.url('127.0.0.1', 40002)).toBe('redis://:pw_2@127.0.0.1:40002');
  });
});

describe('container log demultiplexing', () => {
  const frame = (stream: number, text: string): Buffer => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it('joins the payloads of stdout and stderr frames', () => {
    expect(demuxLogs(Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')]))).toBe('out line\nerr line\n');
  });

  it('returns raw (TTY) output unchanged', () => {
    expect(demuxLogs(Buffer.from('plain output\n'))).toBe('plain output\n');
  });
});
