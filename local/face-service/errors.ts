// The one error model of the face service: every failure a client can see is a RekognitionError, shaped on the
// wire exactly as Amazon Rekognition shapes it so the AWS SDK raises the same typed exception.

export type RekognitionErrorType =
  | 'AccessDeniedException'
  | 'ImageTooLargeException'
  | 'InternalServerError'
  | 'InvalidImageFormatException'
  | 'InvalidPaginationTokenException'
  | 'InvalidParameterException'
  | 'InvalidS3ObjectException'
  | 'ResourceAlreadyExistsException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'ThrottlingException'
  | 'UnknownOperationException';

/** Rekognition answers 500 for its own faults and for throttling (the SDK retries both); 400 for the rest. */
const SERVER_SIDE: ReadonlySet<RekognitionErrorType> = new Set(['InternalServerError', 'ThrottlingException']);

export class RekognitionError extends Error {
  constructor(
    readonly type: RekognitionErrorType,
    message: string,
  ) {
    super(message);
    this.name = type;
  }

  get httpStatus(): number {
    return SERVER_SIDE.has(this.type) ? 500 : 400;
  }
}

export const invalidParameter = (message: string): RekognitionError =>
  new RekognitionError('InvalidParameterException', message);

/** The wire body: `__type` is what the SDK maps to its exception class; Code and Message fill its fields. */
export function errorBody(error: RekognitionError): { __type: string; Code: string; Message: string } {
  return { __type: error.type, Code: error.type, Message: error.message };
}

/** Anything that is not already a RekognitionError is our fault: the client sees a generic 500, never internals. */
export function toRekognitionError(error: unknown): RekognitionError {
  if (error instanceof RekognitionError) return error;
  return new RekognitionError('InternalServerError', 'Internal server error. Retry the request; the service log has the cause.');
}
