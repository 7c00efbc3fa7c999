import { describe, expect, it } from 'vitest';
import { createProvider, ServiceStartError, type ProviderName } from '../../src/services/index.js';

describe('createProvider', () => {
  it('returns the provider named', () => {
    for (const name of ['embedded', 'external', 'containers'] as const) expect(createProvider(name).name).toBe(name);
  });

  it('names the valid providers for an unknown name', () => {
    expect(() => createProvider('docker' as ProviderName)).toThrow(ServiceStartError);
    expect(() => createProvider('docker' as ProviderName)).toThrow(/Unknown services provider "docker": use embedded/);
  });
});
