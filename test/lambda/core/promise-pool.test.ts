import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../../lambda/core/promise-pool.js';

describe('mapWithConcurrency', () => {
  it('keeps the input order whatever order tasks finish in', async () => {
    const results = await mapWithConcurrency([30, 10, 20, 0], 2, async (value, index) => {
      for (let i = 0; i < value; i += 1) await Promise.resolve();
      return `${index}:${value}`;
    });
    expect(results).toEqual(['0:30', '1:10', '2:20', '3:0']);
  });

  it('runs at most the given number of tasks at once, and uses them all', async () => {
    let running = 0;
    let peak = 0;
    await mapWithConcurrency(Array.from({ length: 20 }, (_, i) => i), 4, async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
    });
    expect(peak).toBe(4);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapWithConcurrency([], 5, async () => 1)).toEqual([]);
  });

  it('rejects when a task rejects', async () => {
    await expect(mapWithConcurrency([1, 2], 2, async (value) => {
      if (value === 2) throw new Error('task failed');
      return value;
    })).rejects.toThrow('task failed');
  });
});
