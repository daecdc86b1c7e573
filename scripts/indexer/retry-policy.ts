// When and how long to wait before sending photos again. Retried: the per-image codes the API documents as worth
// retrying (docs/api.md, "fault: retryable"), and whole requests answered 429/502/503/504 or lost on the network.
// Each retry waits exponentially longer, with jitter so that parallel requests do not come back in step, and never
// less than the server's Retry-After.

export const RETRYABLE_IMAGE_CODES: ReadonlySet<string> = new Set([
  'THROTTLED',
  'SERVICE_UNAVAILABLE',
  'STORAGE_UNAVAILABLE',
  'RECORD_STORE_UNAVAILABLE',
  'IMAGE_IN_PROGRESS',
  'NOT_PROCESSED',
  'INDEXING_CUT_OFF',
]);

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

export interface RetryPolicy {
  /** Attempts per photo, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export const isRetryableImageCode = (code: string): boolean => RETRYABLE_IMAGE_CODES.has(code);
export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status);

/** Retry-After as seconds or as an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): "equal jitter", half of the exponential step
 * fixed and half random, so a retry is never immediate yet parallel retries spread out.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = step / 2 + random() * (step / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

export const hasAttemptsLeft = (policy: RetryPolicy, attempt: number): boolean => attempt < policy.maxAttempts;
