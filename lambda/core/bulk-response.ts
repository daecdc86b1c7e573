// The one place where outcomes and errors become HTTP answers (status rules in docs/api.md).
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ImageOutcome } from './bulk-index.js';
import type { ImageErrorCode, RequestError } from './errors.js';

/** Kept letter for letter, misspelling included: clients compare it. */
export const SUCCESS_MESSAGE = 'Bulk indexing is now completed successfuly';
/** IndexFaces throttling clears within seconds; the SDK already retried with backoff before we answer. */
export const RETRY_AFTER_SECONDS = 5;

interface FailedImageEntry {
  ExternalImageId: string;
  Error: { Code: ImageErrorCode; Message: string };
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

export function requestErrorResponse(error: RequestError): APIGatewayProxyResult {
  return json(error.status, { message: error.message, error: { code: error.code } });
}

function dataEntry(outcome: ImageOutcome): unknown {
  if (outcome.result) return outcome.result;
  return { ExternalImageId: outcome.externalImageId, Error: { Code: outcome.error.code, Message: outcome.error.message } } satisfies FailedImageEntry;
}

/**
 * 201 when at least one image was indexed (another message when some failed); when none was: 422 if every
 * failure is the client's, 503 + Retry-After if any is worth retrying, 500 if a server-side fault remains.
 */
export function batchResponse(outcomes: readonly ImageOutcome[]): APIGatewayProxyResult {
  const data = outcomes.map(dataEntry);
  const failures = outcomes.flatMap((outcome) => (outcome.error ? [outcome.error] : []));
  const processed = outcomes.length - failures.length;
  if (failures.length === 0) return json(201, { message: SUCCESS_MESSAGE, data });
  if (processed > 0) {
    return json(201, {
      message: `Bulk indexing completed, but ${failures.length} of ${outcomes.length} images failed; each failed data entry has an Error saying why.`,
      data,
    });
  }
  if (failures.every((failure) => failure.fault === 'client')) {
    return json(422, {
      message: `None of the ${outcomes.length} images could be indexed; each data entry's Error says why and how to fix it.`,
      error: { code: 'NO_IMAGE_INDEXED' },
      data,
    });
  }
  if (failures.some((failure) => failure.fault === 'retryable')) {
    return json(
      503,
      {
        message: `No image could be indexed because a service is busy or unavailable; retry the request in ${RETRY_AFTER_SECONDS} seconds.`,
        error: { code: 'SERVICE_UNAVAILABLE' },
        data,
      },
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }
  return json(500, {
    message: 'No image could be indexed because of a server-side error; it is logged on our side.',
    error: { code: 'INTERNAL_ERROR' },
    data,
  });
}
