import { describe, expect, it } from 'vitest';
import { OrderedSet } from './ordered-set.js';

describe('OrderedSet (the waiting messages of a local channel)', () => {
  it('keeps the order values were added in, through deletes from the front, the middle and the end', () => {
    // Prepare
    const set = new OrderedSet<number>();
    for (let i = 0; i < 6; i++) set.add(i);
    // Act
    const deleted = [set.delete(0), set.delete(3), set.delete(5), set.delete(3)];
    set.add(6);
    set.add(1);
    // Assess
    expect(deleted).toEqual([true, true, true, false]);
    expect([...set]).toEqual([1, 2, 4, 6]);
    expect(set.size).toBe(4);
    expect(set.has(3)).toBe(false);
    expect(set.has(4)).toBe(true);
  });

  it('lets an iteration delete the value it stands on, and values behind it, and go on', () => {
    // Prepare
    const set = new OrderedSet<number>();
    for (let i = 0; i < 8; i++) set.add(i);
    const seen: number[] = [];
    // Act: as the pump dead-letters the message it is at, and deliveries settle elsewhere.
    for (const v of set) {
      seen.push(v);
      if (v === 2) {
        set.delete(2);
        set.delete(0);
      }
      if (v === 7) set.delete(7);
    }
    // Assess
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...set]).toEqual([1, 3, 4, 5, 6]);
  });

  it('empties and fills again', () => {
    const set = new OrderedSet<string>();
    set.add('a');
    set.delete('a');
    expect([...set]).toEqual([]);
    set.add('b');
    set.add('c');
    expect([...set]).toEqual(['b', 'c']);
  });
});
