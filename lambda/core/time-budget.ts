// The invocation's time budget: how long it has left, and the moment it must answer whatever is unfinished, so
// that the function's timeout (and API Gateway's 504) never throws away the answers of images already indexed.
import type { Context } from 'aws-lambda';

/** Kept between the answer deadline and the function's timeout: serializing and returning the answer. */
export const ANSWER_MARGIN_MS = 1500;

/** Resolves after `ms` unless aborted first. */
export type Wait = (ms: number, signal: AbortSignal) => Promise<void>;

export const realWait: Wait = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    // Neither keeps the process alive nor outlives the request that set it.
    timer.unref();
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });

export interface TimeBudget {
  /** Milliseconds the invocation has left. */
  remainingTimeMs?: () => number;
  /** Settles ANSWER_MARGIN_MS before the function's timeout. */
  answerDeadline?: Promise<void>;
}

/**
 * Runs `work` with the invocation's time budget. A context without a clock (a handler called outside a Lambda
 * runtime, as in unit tests) sets no limit.
 */
export async function withinTimeBudget<Result>(context: Context | undefined, wait: Wait, work: (budget: TimeBudget) => Promise<Result>): Promise<Result> {
  if (!context?.getRemainingTimeInMillis) return work({});
  const timer = new AbortController();
  try {
    return await work({
      remainingTimeMs: () => context.getRemainingTimeInMillis(),
      answerDeadline: wait(Math.max(0, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS), timer.signal),
    });
  } finally {
    timer.abort();
  }
}
