import { describe, expect, it } from 'vitest';
import { ImageError, type ImageErrorCode } from '../../lambda/core/errors.js';
import { DEFAULT_RETRY_POLICY, hasAttemptsLeft, isRetryableImageCode, isRetryableStatus, parseRetryAfter, retryDelayMs } from '../../scripts/indexer/retry-policy.js';

/** Every per-image code of docs/api.md. */
const IMAGE_CODES: ImageErrorCode[] = [
  'EMPTY_IMAGE',
  'UNSUPPORTED_IMAGE_FORMAT',
  'CORRUPT_IMAGE',
  'IMAGE_TOO_SMALL',
  'IMAGE_TOO_LARGE',
  'INVALID_IMAGE',
  'COLLECTION_FULL',
  'THROTTLED',
  'SERVICE_UNAVAILABLE',
  'STORAGE_UNAVAILABLE',
  'RECORD_STORE_UNAVAILABLE',
  'IMAGE_IN_PROGRESS',
  'NOT_PROCESSED',
  'INDEXING_CUT_OFF',
  'INTERNAL_ERROR',
];

describe('what is retried', () => {
  it('retries exactly the per-image codes the API classes as retryable', () => {
    for (const code of IMAGE_CODES) expect(isRetryableImageCode(code), code).toBe(new ImageError(code, '').fault === 'retryable');
  });

  it('retries throttled, unavailable and timed-out requests, not refused ones', () => {
    expect([429, 502, 503, 504].map(isRetryableStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404, 413, 415, 422, 500].map(isRetryableStatus)).toEqual(Array(8).fill(false));
  });

  it('stops after the last attempt', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
    expect([1, 2, 3].map((attempt) => hasAttemptsLeft(policy, attempt))).toEqual([true, true, false]);
  });
});

describe('how long to wait', () => {
  const policy = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 8000 };

  it('doubles the wait with each attempt, between half and all of the step', () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs(policy, attempt, undefined, () => 0))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((attempt) => retryDelayMs(policy, attempt, undefined, () => 1))).toEqual([1000, 2000, 4000]);
  });

  it('spreads parallel retries apart with jitter', () => {
    expect(retryDelayMs(policy, 2, undefined, () => 0.25)).not.toBe(retryDelayMs(policy, 2, undefined, () => 0.75));
  });

  it('never waits longer than the cap', () => {
    expect(retryDelayMs(policy, 10, undefined, () => 1)).toBe(8000);
  });

  it("never comes back before the server's Retry-After", () => {
    expect(retryDelayMs(policy, 1, 5000, () => 0)).toBe(5000);
    expect(retryDelayMs(policy, 4, 100, () => 1)).toBe(8000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
