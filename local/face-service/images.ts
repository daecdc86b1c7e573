// Turns a request's Image ({Bytes} or {S3Object}) into image bytes, with Rekognition's size limits and errors.
import { invalidParameter, RekognitionError } from './errors.js';
import { type JsonObject, optionalString, requireObject, S3_BUCKET, S3_NAME, S3_VERSION } from './validation.js';

/** Rekognition's limits: 5 MiB of raw bytes inline, 15 MB through S3. */
export const MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024;
export const MAX_S3_IMAGE_BYTES = 15 * 1024 * 1024;

export interface S3ObjectRef {
  bucket: string;
  name: string;
  version?: string;
  /** Region of the request, for the S3 client. */
  region: string;
}

/** Reads an S3 object of at most `maxBytes`; throws RekognitionError (InvalidS3ObjectException, ImageTooLargeException). */
export interface ObjectReader {
  read(object: S3ObjectRef, maxBytes: number): Promise<Uint8Array>;
}

export const imageTooLarge = (limit: string): RekognitionError =>
  new RekognitionError('ImageTooLargeException', `Image size is too large: the limit is ${limit}. Downscale or recompress the image.`);

export async function resolveImage(input: JsonObject, field: string, objects: ObjectReader, region: string): Promise<Uint8Array> {
  const image = requireObject(input, field);
  const hasBytes = image.Bytes !== undefined && image.Bytes !== null;
  const hasS3Object = image.S3Object !== undefined && image.S3Object !== null;
  if (hasBytes === hasS3Object) {
    throw invalidParameter(`${field} must have exactly one of Bytes (the image, base64-encoded) or S3Object (Bucket and Name).`);
  }
  if (hasBytes) return decodeBytes(image.Bytes, field);
  const s3Object = requireObject(image, 'S3Object');
  const bucket = optionalString(s3Object, 'Bucket', S3_BUCKET);
  const name = optionalString(s3Object, 'Name', S3_NAME);
  const version = optionalString(s3Object, 'Version', S3_VERSION);
  if (!bucket || !name) throw invalidParameter(`${field}.S3Object needs both Bucket and Name.`);
  return objects.read({ bucket, name, version, region }, MAX_S3_IMAGE_BYTES);
}

function decodeBytes(encoded: unknown, field: string): Uint8Array {
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) {
    throw invalidParameter(`${field}.Bytes must be the image bytes encoded in base64.`);
  }
  // Checked on the encoded length first, so an oversized image is refused without decoding it.
  if (Math.floor((encoded.length * 3) / 4) - 2 > MAX_INLINE_IMAGE_BYTES) throw imageTooLarge('5 MiB for Bytes (15 MB through S3Object)');
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length === 0) throw invalidParameter(`${field}.Bytes is empty: send the image file's bytes.`);
  if (bytes.length > MAX_INLINE_IMAGE_BYTES) throw imageTooLarge('5 MiB for Bytes (15 MB through S3Object)');
  return bytes;
}
