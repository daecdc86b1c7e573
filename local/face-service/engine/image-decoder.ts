import sharp, { type Metadata } from 'sharp';
import { EngineImageError } from './types.js';

// libvips caches recent operations (up to 100, 50 MB) to answer a repeated one; every image here is decoded once,
// so the cache would only hold memory.
sharp.cache(false);

/** Rekognition rejects images under 80 pixels on a side. */
export const MIN_IMAGE_SIDE = 80;

/** RGB pixels, 3 bytes per pixel, row-major, of the upright image (EXIF orientation applied). */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** Size of the upright image before any downscaling for analysis. */
  uprightWidth: number;
  uprightHeight: number;
}

const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((byte, index) => bytes[index] === byte);
}

/** The format named by the content, never by a file name: only JPEG and PNG are accepted, as Rekognition does. */
export function sniffImageFormat(bytes: Uint8Array): 'jpeg' | 'png' | undefined {
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  return undefined;
}

/**
 * Decodes a JPEG or PNG into upright RGB pixels, at most `maxSide` pixels on the long side (the face models gain
 * nothing from more, and decoding less is faster). Transparency is flattened onto white and grey is expanded to RGB.
 */
export async function decodeImage(bytes: Uint8Array, maxSide: number): Promise<DecodedImage> {
  const format = sniffImageFormat(bytes);
  if (!format) {
    throw new EngineImageError('InvalidImageFormat', 'The image is not a JPEG or PNG (checked by content, not by name).');
  }
  // failOn 'truncated' makes libvips reject a cut-off file instead of padding it with grey rows.
  const input = sharp(bytes, { failOn: 'truncated' });
  let metadata: Metadata;
  try {
    metadata = await input.metadata();
  } catch (error) {
    throw invalid(format, error);
  }
  const swapsSides = (metadata.orientation ?? 1) >= 5;
  const uprightWidth = (swapsSides ? metadata.height : metadata.width) ?? 0;
  const uprightHeight = (swapsSides ? metadata.width : metadata.height) ?? 0;
  if (Math.min(uprightWidth, uprightHeight) < MIN_IMAGE_SIDE) {
    throw new EngineImageError(
      'ImageTooSmall',
      `The image is ${uprightWidth}x${uprightHeight} pixels; each side must be at least ${MIN_IMAGE_SIDE} pixels.`,
    );
  }
  try {
    const { data, info } = await input
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data, width: info.width, height: info.height, uprightWidth, uprightHeight };
  } catch (error) {
    throw invalid(format, error);
  }
}

function invalid(format: string, cause: unknown): EngineImageError {
  const reason = cause instanceof Error ? cause.message.trim() : String(cause);
  return new EngineImageError('InvalidImageFormat', `The ${format.toUpperCase()} image cannot be decoded (${reason}).`);
}
