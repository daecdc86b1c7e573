// The one error model: request-level errors (the whole request is refused) and image-level errors (one
// `data[i]` fails alone). AWS SDK errors are recognised here by their names and fault flags, without
// importing the SDK, and turned into our codes; their raw messages never reach the client.

/** Whose fault a failed image is: decides between 422 (client), 503 (retryable) and 500 (server). */
export type Fault = 'client' | 'retryable' | 'server';

export type RequestErrorCode =
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MALFORMED_MULTIPART'
  | 'IMAGES_SENT_AS_TEXT'
  | 'UNEXPECTED_FILE_FIELD'
  | 'NO_IMAGES'
  | 'MISSING_COLLECTION'
  | 'INVALID_COLLECTION'
  | 'TOO_MANY_IMAGES'
  | 'TOO_MANY_PARTS'
  | 'INTERNAL_ERROR';

const REQUEST_ERROR_STATUS: Record<RequestErrorCode, number> = {
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MALFORMED_MULTIPART: 400,
  IMAGES_SENT_AS_TEXT: 400,
  UNEXPECTED_FILE_FIELD: 400,
  NO_IMAGES: 400,
  MISSING_COLLECTION: 400,
  INVALID_COLLECTION: 400,
  TOO_MANY_IMAGES: 413,
  TOO_MANY_PARTS: 413,
  INTERNAL_ERROR: 500,
};

export class RequestError extends Error {
  readonly status: number;

  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
    this.status = REQUEST_ERROR_STATUS[code];
  }
}

export type ImageErrorCode =
  | 'EMPTY_IMAGE'
  | 'UNSUPPORTED_IMAGE_FORMAT'
  | 'CORRUPT_IMAGE'
  | 'IMAGE_TOO_SMALL'
  | 'IMAGE_TOO_LARGE'
  | 'INVALID_IMAGE'
  | 'COLLECTION_FULL'
  | 'THROTTLED'
  | 'SERVICE_UNAVAILABLE'
  | 'STORAGE_UNAVAILABLE'
  | 'RECORD_STORE_UNAVAILABLE'
  | 'IMAGE_IN_PROGRESS'
  | 'NOT_PROCESSED'
  | 'INDEXING_CUT_OFF'
  | 'INTERNAL_ERROR';

const IMAGE_ERROR_FAULT: Record<ImageErrorCode, Fault> = {
  EMPTY_IMAGE: 'client',
  UNSUPPORTED_IMAGE_FORMAT: 'client',
  CORRUPT_IMAGE: 'client',
  IMAGE_TOO_SMALL: 'client',
  IMAGE_TOO_LARGE: 'client',
  INVALID_IMAGE: 'client',
  COLLECTION_FULL: 'client',
  THROTTLED: 'retryable',
  SERVICE_UNAVAILABLE: 'retryable',
  STORAGE_UNAVAILABLE: 'retryable',
  RECORD_STORE_UNAVAILABLE: 'retryable',
  IMAGE_IN_PROGRESS: 'retryable',
  NOT_PROCESSED: 'retryable',
  INDEXING_CUT_OFF: 'retryable',
  INTERNAL_ERROR: 'server',
};

export class ImageError extends Error {
  readonly fault: Fault;

  constructor(
    readonly code: ImageErrorCode,
    message: string,
    /** The underlying error's name (e.g. an SDK exception), for the log line only. */
    readonly causeName?: string,
  ) {
    super(message);
    this.name = 'ImageError';
    this.fault = IMAGE_ERROR_FAULT[code];
  }
}

interface ServiceErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shapeOf(error: unknown): ServiceErrorShape {
  return typeof error === 'object' && error !== null ? (error as ServiceErrorShape) : {};
}

function nameOf(error: unknown): string {
  const { name } = shapeOf(error);
  return typeof name === 'string' ? name : 'UnknownError';
}

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'SlowDown',
  'TooManyRequestsException',
]);

// Connection-level failures (no HTTP answer at all) are worth retrying like a 5xx.
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

function isRetryableServiceError(error: unknown): boolean {
  const shape = shapeOf(error);
  const status = shape.$metadata?.httpStatusCode;
  return (
    shape.$fault === 'server' ||
    Boolean(shape.$retryable) ||
    (typeof status === 'number' && status >= 500) ||
    nameOf(error) === 'TimeoutError' ||
    (typeof shape.code === 'string' && NETWORK_ERROR_CODES.has(shape.code))
  );
}

/** Rekognition's answer when the collection does not exist yet (it is then created and the call retried). */
export function isCollectionMissing(error: unknown): boolean {
  return nameOf(error) === 'ResourceNotFoundException';
}

const SERVER_SIDE_MESSAGE =
  'This image could not be processed because of a server-side error (logged on our side); retrying will not help until it is fixed.';

/** The face index (Rekognition IndexFaces) failed for one image. */
export function faceIndexError(error: unknown): ImageError {
  if (error instanceof ImageError) return error;
  const name = nameOf(error);
  switch (name) {
    case 'InvalidImageFormatException':
      return new ImageError('CORRUPT_IMAGE', 'The face service could not decode this image: the file looks damaged or incomplete. Export it again as JPEG or PNG.', name);
    case 'ImageTooLargeException':
      return new ImageError('IMAGE_TOO_LARGE', 'The face service refused this image as too large; resize it (for example to 4096 px on the long side) and upload it again.', name);
    case 'InvalidParameterException':
      return new ImageError('INVALID_IMAGE', 'The face service could not use this image (for example its dimensions or content are outside what it accepts); try another photo.', name);
    case 'ServiceQuotaExceededException':
      return new ImageError('COLLECTION_FULL', 'This collection holds as many faces as it can; delete faces or use another collection.', name);
  }
  if (THROTTLING_NAMES.has(name)) {
    return new ImageError('THROTTLED', 'The face service is receiving too many requests; retry this image in a few seconds.', name);
  }
  if (isRetryableServiceError(error)) {
    return new ImageError('SERVICE_UNAVAILABLE', 'The face service is unavailable right now; retry this image in a few seconds.', name);
  }
  return new ImageError('INTERNAL_ERROR', SERVER_SIDE_MESSAGE, name);
}

/** A storage service failed: retryable when it throttled or failed on its side, a deployment fault otherwise. */
function storageError(error: unknown, code: 'STORAGE_UNAVAILABLE' | 'RECORD_STORE_UNAVAILABLE', message: string): ImageError {
  if (error instanceof ImageError) return error;
  const name = nameOf(error);
  if (THROTTLING_NAMES.has(name) || isRetryableServiceError(error)) return new ImageError(code, message, name);
  return new ImageError('INTERNAL_ERROR', SERVER_SIDE_MESSAGE, name);
}

/** The image store (S3) failed to keep the original of one image. */
export function imageStoreError(error: unknown): ImageError {
  return storageError(error, 'STORAGE_UNAVAILABLE', 'The image store is unavailable right now; retry this image in a few seconds.');
}

/** The image record store (DynamoDB) failed before this image's faces were indexed. */
export function imageRecordError(error: unknown): ImageError {
  return storageError(error, 'RECORD_STORE_UNAVAILABLE', 'The image record store is unavailable right now; retry this image in a few seconds.');
}

/**
 * The faces were indexed but their record could not be completed: the image is reported failed and its record
 * stays pending, so a retry indexes it again (Rekognition adds no second copy) and completes the record.
 */
export function unrecordedFacesError(error: unknown): ImageError {
  return storageError(
    error,
    'RECORD_STORE_UNAVAILABLE',
    'The faces of this image were indexed but could not be recorded; retry this image in a few seconds to get them (no face is added twice).',
  );
}
