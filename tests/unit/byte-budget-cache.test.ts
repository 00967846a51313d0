import { describe, expect, test } from 'vitest';
import { ByteBudgetCache } from '../../src/core/byte-budget-cache.ts';

describe('ByteBudgetCache', () => {
  test('keeps values within the budget and drops the least recently used first', () => {
    const cache = new ByteBudgetCache<string>(100);
    expect(cache.set('a', 'A', 40)).toBe(true);
    expect(cache.set('b', 'B', 40)).toBe(true);
    expect(cache.bytes).toBe(80);
    // Using a makes b the oldest: storing c (40 more) drops b, not a.
    expect(cache.get('a')).toBe('A');
    expect(cache.set('c', 'C', 40)).toBe(true);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
    expect(cache.bytes).toBe(80);
    expect(cache.size).toBe(2);
  });

  test('replacing a key counts its new size once; a value above the budget is not kept', () => {
    const cache = new ByteBudgetCache<number>(100);
    cache.set('a', 1, 30);
    cache.set('a', 2, 50);
    expect(cache.bytes).toBe(50);
    expect(cache.get('a')).toBe(2);
    expect(cache.set('huge', 3, 101)).toBe(false);
    expect(cache.get('huge')).toBeUndefined();
    // The refused value did not push anything out.
    expect(cache.get('a')).toBe(2);
    // One that needs the whole budget empties the rest.
    expect(cache.set('all', 4, 100)).toBe(true);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(100);
    cache.clear();
    expect(cache.bytes).toBe(0);
    expect(cache.size).toBe(0);
  });

  test('refuses negative or missing sizes', () => {
    expect(() => new ByteBudgetCache(-1)).toThrow('budget must be ≥ 0 bytes');
    const cache = new ByteBudgetCache<number>(10);
    expect(() => cache.set('a', 1, Number.NaN)).toThrow('must hold ≥ 0 bytes');
  });
});
