import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ANSWER_MARGIN_MS, realWait, withinTimeBudget, type Wait } from '../../../lambda/core/time-budget.js';

function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  void promise.then(() => (settled = true));
  return () => settled;
}

describe('realWait', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves once the time has passed', async () => {
    const settled = settledFlag(realWait(1000, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(999);
    expect(settled()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled()).toBe(true);
  });

  it('never resolves once aborted, and leaves no timer behind', async () => {
    const abort = new AbortController();
    const settled = settledFlag(realWait(1000, abort.signal));
    abort.abort();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(settled()).toBe(false);
  });
});

describe('withinTimeBudget', () => {
  const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;

  it('sets no limit without the Lambda clock', async () => {
    const wait = vi.fn<Wait>();
    expect(await withinTimeBudget({ awsRequestId: 'r' } as Context, wait, async (budget) => budget)).toEqual({});
    expect(await withinTimeBudget(undefined, wait, async (budget) => budget)).toEqual({});
    expect(wait).not.toHaveBeenCalled();
  });

  it('gives the time left and a deadline the answer margin before the timeout, cancelled once the work is done', async () => {
    const signals: AbortSignal[] = [];
    const wait: Wait = (ms, signal) => {
      signals.push(signal);
      expect(ms).toBe(20_000 - ANSWER_MARGIN_MS);
      return new Promise(() => undefined);
    };
    const remaining = await withinTimeBudget(context(20_000), wait, async (budget) => {
      expect(signals[0]!.aborted).toBe(false);
      return budget.remainingTimeMs!();
    });
    expect(remaining).toBe(20_000);
    expect(signals[0]!.aborted).toBe(true);
  });

  it('sets the deadline at once when less than the margin is left', async () => {
    const wait = vi.fn<Wait>(() => Promise.resolve());
    await withinTimeBudget(context(500), wait, async () => undefined);
    expect(wait).toHaveBeenCalledWith(0, expect.any(AbortSignal));
  });
});
