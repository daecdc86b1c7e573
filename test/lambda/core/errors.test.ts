import { describe, expect, it } from 'vitest';
import { faceIndexError, ImageError, imageRecordError, imageStoreError, isCollectionMissing, unrecordedFacesError } from '../../../lambda/core/errors.js';
import { sdkError } from '../support/fakes.js';

describe('faceIndexError', () => {
  it.each([
    ['InvalidImageFormatException', 400, 'CORRUPT_IMAGE', 'client'],
    ['ImageTooLargeException', 400, 'IMAGE_TOO_LARGE', 'client'],
    ['InvalidParameterException', 400, 'INVALID_IMAGE', 'client'],
    ['ServiceQuotaExceededException', 400, 'COLLECTION_FULL', 'client'],
    ['ThrottlingException', 500, 'THROTTLED', 'retryable'],
    ['ProvisionedThroughputExceededException', 400, 'THROTTLED', 'retryable'],
    ['InternalServerError', 500, 'SERVICE_UNAVAILABLE', 'retryable'],
    ['AccessDeniedException', 400, 'INTERNAL_ERROR', 'server'],
    ['InvalidS3ObjectException', 400, 'INTERNAL_ERROR', 'server'],
    ['ResourceNotFoundException', 400, 'INTERNAL_ERROR', 'server'],
  ])('maps %s (HTTP %i) to %s, a %s fault', (name, status, code, fault) => {
    const error = faceIndexError(sdkError(name, status));
    expect(error).toMatchObject({ code, fault, causeName: name });
  });

  it('never passes the SDK message on', () => {
    const error = faceIndexError(sdkError('AccessDeniedException', 400, 'User arn:aws:iam::123:role/x is not authorized'));
    expect(error.message).not.toContain('arn:aws');
  });

  it('treats timeouts and refused connections as retryable', () => {
    expect(faceIndexError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })).fault).toBe('retryable');
    expect(faceIndexError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })).fault).toBe('retryable');
  });

  it('treats anything unrecognised as a server-side fault', () => {
    expect(faceIndexError(new TypeError('x is undefined'))).toMatchObject({ code: 'INTERNAL_ERROR', causeName: 'TypeError' });
    expect(faceIndexError('a string')).toMatchObject({ code: 'INTERNAL_ERROR', causeName: 'UnknownError' });
  });

  it('keeps an ImageError as it is', () => {
    const original = new ImageError('EMPTY_IMAGE', 'empty');
    expect(faceIndexError(original)).toBe(original);
  });
});

describe('imageStoreError', () => {
  it('maps S3 throttling and 5xx to a retryable storage failure', () => {
    expect(imageStoreError(sdkError('SlowDown', 503))).toMatchObject({ code: 'STORAGE_UNAVAILABLE', fault: 'retryable' });
    expect(imageStoreError(sdkError('InternalError', 500))).toMatchObject({ code: 'STORAGE_UNAVAILABLE', fault: 'retryable' });
  });

  it('maps a missing bucket or a refused access to a server-side fault', () => {
    expect(imageStoreError(sdkError('NoSuchBucket', 404))).toMatchObject({ code: 'INTERNAL_ERROR', fault: 'server' });
    expect(imageStoreError(sdkError('AccessDenied', 403))).toMatchObject({ code: 'INTERNAL_ERROR', fault: 'server' });
  });
});

describe('imageRecordError and unrecordedFacesError', () => {
  it.each([imageRecordError, unrecordedFacesError])('map DynamoDB throttling and 5xx to a retryable record store failure (%o)', (map) => {
    expect(map(sdkError('ProvisionedThroughputExceededException'))).toMatchObject({ code: 'RECORD_STORE_UNAVAILABLE', fault: 'retryable' });
    expect(map(sdkError('InternalServerError', 500))).toMatchObject({ code: 'RECORD_STORE_UNAVAILABLE', fault: 'retryable' });
    expect(map(sdkError('ResourceNotFoundException'))).toMatchObject({ code: 'INTERNAL_ERROR', fault: 'server' });
  });

  it('tell a client whose faces were indexed but not recorded that a retry returns them', () => {
    expect(unrecordedFacesError(sdkError('InternalServerError', 500)).message).toMatch(/indexed but could not be recorded; retry/);
  });
});

describe('isCollectionMissing', () => {
  it('recognises Rekognition’s answer for a collection that does not exist', () => {
    expect(isCollectionMissing(sdkError('ResourceNotFoundException'))).toBe(true);
    expect(isCollectionMissing(sdkError('InvalidParameterException'))).toBe(false);
    expect(isCollectionMissing(undefined)).toBe(false);
  });
});
