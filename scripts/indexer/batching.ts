// Packs photos into upload requests that the API accepts: at most `maxImages` photos and about `maxBodyBytes` of
// multipart body each (docs/api.md, Limits). Upload order is kept; a photo too large to travel even alone is set
// apart, to be reported rather than sent.

/** The API's defaults: MAX_IMAGES_PER_REQUEST, and the raw multipart that fits Lambda's 6 MB event once base64-encoded. */
export const MAX_IMAGES_PER_REQUEST = 50;
export const MAX_BODY_BYTES = 4_400_000;
/** Boundary lines and part headers of one file part, plus its file name (counted separately). */
const PART_HEADER_BYTES = 256;
/** The collection field and the closing boundary. */
const REQUEST_OVERHEAD_BYTES = 512;

export interface Sized {
  bytes: number;
  /** The file name sent in the part headers. */
  name: string;
}

export interface BatchLimits {
  maxImages: number;
  maxBodyBytes: number;
}

export interface Batches<T> {
  batches: T[][];
  tooLarge: T[];
}

/** Bytes a photo adds to the multipart body: its content and its part headers (the name may be percent-encoded). */
export function partBytes(photo: Sized): number {
  return photo.bytes + PART_HEADER_BYTES + 3 * Buffer.byteLength(photo.name);
}

/** The largest photo that fits a request on its own. */
export function largestSendable(limits: BatchLimits): number {
  return limits.maxBodyBytes - REQUEST_OVERHEAD_BYTES - PART_HEADER_BYTES;
}

export function packBatches<T extends Sized>(photos: readonly T[], limits: BatchLimits): Batches<T> {
  const budget = limits.maxBodyBytes - REQUEST_OVERHEAD_BYTES;
  const batches: T[][] = [];
  const tooLarge: T[] = [];
  let current: T[] = [];
  let used = 0;
  for (const photo of photos) {
    const cost = partBytes(photo);
    if (cost > budget) {
      tooLarge.push(photo);
      continue;
    }
    if (current.length === limits.maxImages || used + cost > budget) {
      batches.push(current);
      current = [];
      used = 0;
    }
    current.push(photo);
    used += cost;
  }
  if (current.length > 0) batches.push(current);
  return { batches, tooLarge };
}
