import { describe, expect, it } from 'vitest';
import type { ImageOutcome } from '../../../lambda/core/bulk-index.js';
import { batchResponse, RETRY_AFTER_SECONDS, requestErrorResponse } from '../../../lambda/core/bulk-response.js';
import { ImageError, RequestError, type ImageErrorCode } from '../../../lambda/core/errors.js';

const processed = (name: string): ImageOutcome => ({ externalImageId: name, result: { FaceRecords: [], UnindexedFaces: [], FaceModelVersion: '7.0' }, replayed: false });
const failed = (name: string, code: ImageErrorCode): ImageOutcome => ({ externalImageId: name, error: new ImageError(code, `${code} message`) });

function body(outcomes: ImageOutcome[]) {
  const response = batchResponse(outcomes);
  return { status: response.statusCode, headers: response.headers, json: JSON.parse(response.body) };
}

describe('batchResponse', () => {
  it('answers 201 with the published message, misspelling included, when every image was processed', () => {
    const { status, json } = body([processed('a.jpg'), processed('b.jpg')]);
    expect(status).toBe(201);
    expect(json).toEqual({ message: 'Bulk indexing is now completed successfuly', data: [processed('a.jpg').result, processed('b.jpg').result] });
  });

  it('answers 201 with another message when some images failed, failures in place', () => {
    const { status, json } = body([failed('a.heic', 'UNSUPPORTED_IMAGE_FORMAT'), processed('b.jpg'), failed('c.jpg', 'THROTTLED')]);
    expect(status).toBe(201);
    expect(json.message).not.toBe('Bulk indexing is now completed successfuly');
    expect(json.data).toEqual([
      { ExternalImageId: 'a.heic', Error: { Code: 'UNSUPPORTED_IMAGE_FORMAT', Message: 'UNSUPPORTED_IMAGE_FORMAT message' } },
      processed('b.jpg').result,
      { ExternalImageId: 'c.jpg', Error: { Code: 'THROTTLED', Message: 'THROTTLED message' } },
    ]);
  });

  it('answers 422 when nothing was processed and every failure is the client’s', () => {
    const { status, json, headers } = body([failed('a', 'EMPTY_IMAGE'), failed('b', 'IMAGE_TOO_SMALL'), failed('c', 'COLLECTION_FULL')]);
    expect(status).toBe(422);
    expect(json.error).toEqual({ code: 'NO_IMAGE_INDEXED' });
    expect(headers).not.toHaveProperty('Retry-After');
  });

  it('answers 503 with Retry-After when nothing was processed and any failure is worth retrying', () => {
    for (const retryable of ['THROTTLED', 'SERVICE_UNAVAILABLE', 'STORAGE_UNAVAILABLE', 'RECORD_STORE_UNAVAILABLE', 'IMAGE_IN_PROGRESS', 'NOT_PROCESSED', 'INDEXING_CUT_OFF'] as const) {
      const { status, json, headers } = body([failed('a', 'EMPTY_IMAGE'), failed('b', retryable), failed('c', 'INTERNAL_ERROR')]);
      expect(status).toBe(503);
      expect(json.error).toEqual({ code: 'SERVICE_UNAVAILABLE' });
      expect(headers?.['Retry-After']).toBe(String(RETRY_AFTER_SECONDS));
    }
  });

  it('answers 500 when nothing was processed and a server-side fault, not worth retrying, remains', () => {
    const { status, json } = body([failed('a', 'EMPTY_IMAGE'), failed('b', 'INTERNAL_ERROR')]);
    expect(status).toBe(500);
    expect(json.error).toEqual({ code: 'INTERNAL_ERROR' });
  });

  it('answers JSON', () => {
    expect(batchResponse([processed('a')]).headers).toMatchObject({ 'Content-Type': 'application/json; charset=utf-8' });
  });
});

describe('requestErrorResponse', () => {
  it('gives the status of the code and a body with the message and the code', () => {
    const response = requestErrorResponse(new RequestError('TOO_MANY_IMAGES', 'Send at most 50.'));
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ message: 'Send at most 50.', error: { code: 'TOO_MANY_IMAGES' } });
  });
});
