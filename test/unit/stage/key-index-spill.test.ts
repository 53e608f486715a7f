import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../../src/stage/key-index.js';

describe('KeyIndex past its memory', () => {
  it('finds keys moved to SQLite exactly, with their first place, and new keys as new', () => {
    const keys = new KeyIndex(1000);
    const count = 25_000;
    for (let i = 0; i < count; i++) expect(keys.addOrGet(`key-${(i * 7919) % count}`, i % 3, i + 2)).toBeUndefined();
    for (let i = 0; i < count; i += 13) {
      const first = [...Array(count).keys()].find((j) => (j * 7919) % count === i)!;
      expect(keys.addOrGet(`key-${i}`, 9, 1)).toEqual({ fileIndex: first % 3, line: first + 2 });
    }
    for (let i = 0; i < 2000; i++) expect(keys.addOrGet(`other-${i}`, 1, i)).toBeUndefined();
    expect(keys.addOrGet('other-5', 2, 2)).toEqual({ fileIndex: 1, line: 5 });
    keys.close();
  });

  it('keeps a key seen twice after a move at its first place, not the second', () => {
    const keys = new KeyIndex(2);
    expect(keys.addOrGet('a', 0, 2)).toBeUndefined();
    expect(keys.addOrGet('b', 0, 3)).toBeUndefined();
    expect(keys.addOrGet('a', 1, 4)).toEqual({ fileIndex: 0, line: 2 });
    expect(keys.addOrGet('c', 1, 5)).toBeUndefined();
    expect(keys.addOrGet('d', 1, 6)).toBeUndefined();
    expect(keys.addOrGet('c', 1, 7)).toEqual({ fileIndex: 1, line: 5 });
    expect(keys.addOrGet('A', 1, 8)).toBeUndefined();
    keys.close();
  });
});
