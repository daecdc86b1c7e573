import { describe, expect, it } from 'vitest';
import { IndexingStages, type StagePass } from '../../../lambda/core/indexing-stages.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Asks for `count` passes and returns those granted so far, in the order they were asked for. */
function ask(stages: IndexingStages, count: number): Array<StagePass | undefined> {
  const passes: Array<StagePass | undefined> = new Array(count).fill(undefined);
  for (let i = 0; i < count; i += 1) void stages.enter().then((pass) => (passes[i] = pass));
  return passes;
}

const granted = (passes: Array<StagePass | undefined>) => passes.filter((pass) => pass !== undefined).length;

describe('IndexingStages', () => {
  it('lets as many images prepare as there are call slots, and no more while a call slot is free', async () => {
    const passes = ask(new IndexingStages(3), 6);
    await settle();
    expect(granted(passes)).toBe(3);
    expect(passes.slice(0, 3).every((pass) => pass?.ahead === false)).toBe(true);
    // Two of the three are calling, one still prepares: its call slot stays its own.
    await passes[0]!.enterCalling();
    await passes[1]!.enterCalling();
    await settle();
    expect(granted(passes)).toBe(3);
  });

  it('lets as many more prepare ahead once every call slot is busy', async () => {
    const passes = ask(new IndexingStages(2), 6);
    await settle();
    await passes[0]!.enterCalling();
    await passes[1]!.enterCalling();
    await settle();
    expect(granted(passes)).toBe(4);
    expect(passes[2]!.ahead).toBe(true);
    expect(passes[3]!.ahead).toBe(true);
  });

  it('gives a freed call slot to the image prepared first', async () => {
    const passes = ask(new IndexingStages(1), 3);
    await settle();
    await passes[0]!.enterCalling();
    await settle();
    const calling: number[] = [];
    void passes[1]!.enterCalling().then(() => calling.push(1));
    await settle();
    expect(calling).toEqual([]);
    passes[0]!.leave();
    await settle();
    expect(calling).toEqual([1]);
    // The next image may now prepare ahead of the one calling.
    expect(granted(passes)).toBe(3);
  });

  it('lets the next image in when one leaves without calling (answered from its record)', async () => {
    const passes = ask(new IndexingStages(1), 2);
    await settle();
    expect(granted(passes)).toBe(1);
    passes[0]!.leave();
    await settle();
    expect(passes[1]?.ahead).toBe(false);
  });

  it('hands the call slot on at once when an image leaves while waiting for it', async () => {
    const passes = ask(new IndexingStages(1), 3);
    await settle();
    await passes[0]!.enterCalling();
    await settle();
    void passes[1]!.enterCalling();
    passes[1]!.leave();
    passes[0]!.leave();
    await settle();
    // The slot passed through the image that left to the next one in line.
    await passes[2]!.enterCalling();
  });

  it('counts an image that leaves twice once', async () => {
    const stages = new IndexingStages(1);
    const first = await stages.enter();
    first.leave();
    first.leave();
    const passes = ask(stages, 2);
    await settle();
    expect(granted(passes)).toBe(1);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => new IndexingStages(0)).toThrow('positive integer');
    expect(() => new IndexingStages(2.5)).toThrow('positive integer');
  });
});
