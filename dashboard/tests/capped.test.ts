import { describe, expect, it } from 'vitest';
import { appendCapped, lastEntries } from '../src/stores/capped';

describe('appendCapped', () => {
  it('appends below the limit', () => {
    expect(appendCapped([1, 2], [3], 5)).toEqual([1, 2, 3]);
  });

  it('drops the oldest entries beyond the limit', () => {
    expect(appendCapped([1, 2, 3], [4, 5], 3)).toEqual([3, 4, 5]);
  });

  it('keeps only the newest items when they alone exceed the limit', () => {
    expect(appendCapped([1, 2], [3, 4, 5, 6], 3)).toEqual([4, 5, 6]);
  });

  it('returns a new array', () => {
    const source = [1];
    expect(appendCapped(source, [2], 5)).not.toBe(source);
    expect(source).toEqual([1]);
  });
});

describe('lastEntries', () => {
  it('returns the tail', () => {
    expect(lastEntries([1, 2, 3, 4], 2)).toEqual([3, 4]);
    expect(lastEntries([1], 2)).toEqual([1]);
  });
});
