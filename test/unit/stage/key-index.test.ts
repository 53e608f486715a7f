import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../../src/stage/key-index.js';

describe('KeyIndex', () => {
  it('tells a new key from one already seen, and where it was first seen', () => {
    const keys = new KeyIndex();
    expect(keys.addOrGet('T-1', 0, 2)).toBeUndefined();
    expect(keys.addOrGet('T-2', 0, 3)).toBeUndefined();
    expect(keys.addOrGet('T-1', 1, 40)).toEqual({ fileIndex: 0, line: 2 });
    expect(keys.addOrGet('t-1', 1, 41)).toBeUndefined();
    keys.close();
  });

  it('keeps every key exactly across commits (no hashing, no false duplicates)', () => {
    const keys = new KeyIndex();
    const count = 50_000;
    for (let i = 0; i < count; i++) expect(keys.addOrGet(`key-${i}`, i % 3, i + 2)).toBeUndefined();
    let duplicates = 0;
    for (let i = 0; i < count; i += 7) {
      const seen = keys.addOrGet(`key-${i}`, 5, 1);
      expect(seen).toEqual({ fileIndex: i % 3, line: i + 2 });
      duplicates += 1;
    }
    expect(duplicates).toBe(Math.ceil(count / 7));
    keys.close();
  });

  it('stores lines beyond 32-bit file offsets without mixing up the file', () => {
    const keys = new KeyIndex();
    keys.addOrGet('big', 7, 4_000_000_000);
    expect(keys.addOrGet('big', 0, 1)).toEqual({ fileIndex: 7, line: 4_000_000_000 });
    keys.close();
  });
});
