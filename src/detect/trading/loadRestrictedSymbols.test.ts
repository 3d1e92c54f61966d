import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRestrictedSymbols } from './loadRestrictedSymbols.js';

describe('loadRestrictedSymbols', () => {
  it('reads a list file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kg-restricted-'));
    const path = join(dir, 'restricted.txt');
    writeFileSync(path, '7992.T pumped in April\n0700.HK\n');
    expect(loadRestrictedSymbols(path)).toEqual(new Map([['7992.T', 'pumped in April'], ['0700.HK', 'on the restricted list']]));
  });

  it('says which file it could not read', () => {
    expect(() => loadRestrictedSymbols('/nonexistent/restricted.txt')).toThrow(/cannot read the restricted-symbol list \/nonexistent\/restricted.txt/);
  });
});
