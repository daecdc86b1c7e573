// Recognises an upload by its bytes, not its name or declared type, and reads its dimensions from the
// JPEG SOF / PNG IHDR headers. Pure TypeScript: the Lambda bundle carries no image library.
import { ImageError } from './errors.js';

export type ImageFormat = 'jpeg' | 'png';

export interface ImageInfo {
  format: ImageFormat;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** Rekognition's smallest accepted side. */
export const MIN_IMAGE_SIDE = 80;
/**
 * libvips' default decoding limit (16383 x 16383), which the local face service applies too. A header declaring
 * more is a decompression bomb (a few KB that would decode to gigabytes) or nothing a face index can use.
 */
export const MAX_IMAGE_PIXELS = 16_383 * 16_383;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/** Names the formats phones and browsers commonly produce, so the message says what the file is. */
function otherFormatName(bytes: Uint8Array): string | undefined {
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return 'GIF';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'WebP';
  if (ascii(bytes, 4, 8) === 'ftyp') {
    const brand = ascii(bytes, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (HEIF_BRANDS.has(brand)) return 'HEIC/HEIF';
  }
  if (ascii(bytes, 0, 2) === 'BM') return 'BMP';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'TIFF';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'PDF';
  return undefined;
}

function corrupt(format: string, detail: string): ImageError {
  return new ImageError('CORRUPT_IMAGE', `This ${format} file is damaged or incomplete (${detail}); export or download it again.`);
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) >>> 0) + (bytes[offset + 1]! << 16) + (bytes[offset + 2]! << 8) + bytes[offset + 3]!;
}

// Start-of-frame markers carry the dimensions: SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

// Markers without a length field: TEM, RST0..RST7, SOI.
function isStandalone(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

/**
 * Walks the JPEG segments up to the end-of-image marker, so that a truncated upload is refused here rather
 * than after it was stored. Entropy-coded data after each SOS is skipped by searching the next marker
 * (0xFF followed by anything but a stuffed 0x00 or a restart marker).
 */
function jpegDimensions(bytes: Uint8Array): { width: number; height: number } {
  let size: { width: number; height: number } | undefined;
  let offset = 2;
  while (offset < bytes.length) {
    // Like libjpeg, tolerate stray bytes before a marker (some encoders pad segments), then skip fill bytes.
    offset = bytes.indexOf(0xff, offset);
    if (offset === -1) break;
    while (bytes[offset] === 0xff) offset += 1;
    const marker = bytes[offset];
    offset += 1;
    if (marker === undefined) break;
    if (marker === 0xd9) {
      if (!size) throw corrupt('JPEG', 'no frame header');
      return size;
    }
    if (isStandalone(marker)) continue;
    if (offset + 2 > bytes.length) break;
    const length = readUint16(bytes, offset);
    if (length < 2 || offset + length > bytes.length) break;
    if (isStartOfFrame(marker)) {
      if (length < 7) throw corrupt('JPEG', 'frame header too short');
      size = { height: readUint16(bytes, offset + 3), width: readUint16(bytes, offset + 5) };
    }
    offset += length;
    if (marker === 0xda) {
      offset = nextMarkerAfterScan(bytes, offset);
    }
  }
  throw corrupt('JPEG', 'it ends before its end-of-image marker');
}

function nextMarkerAfterScan(bytes: Uint8Array, from: number): number {
  let offset = from;
  for (;;) {
    const candidate = bytes.indexOf(0xff, offset);
    if (candidate === -1 || candidate + 1 >= bytes.length) return bytes.length;
    const next = bytes[candidate + 1]!;
    if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) {
      offset = candidate + (next === 0xff ? 1 : 2);
      continue;
    }
    return candidate;
  }
}

/** Walks the PNG chunks (length, type, data, CRC) up to IEND; IHDR must come first with its 13 bytes. */
function pngDimensions(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 33 || readUint32(bytes, 8) !== 13 || ascii(bytes, 12, 16) !== 'IHDR') {
    throw corrupt('PNG', 'its header chunk is missing or malformed');
  }
  const size = { width: readUint32(bytes, 16), height: readUint32(bytes, 20) };
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = readUint32(bytes, offset);
    const type = ascii(bytes, offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > bytes.length) break;
    if (type === 'IEND') return size;
    offset = end;
  }
  throw corrupt('PNG', 'it ends before its final chunk');
}

/**
 * What the upload is, or the ImageError saying why it cannot be indexed: empty, not JPEG/PNG (naming the
 * format when it is a known one), damaged, or smaller than 80 px on a side.
 */
export function inspectImage(bytes: Uint8Array): ImageInfo {
  if (bytes.length === 0) {
    throw new ImageError('EMPTY_IMAGE', 'This file is empty (0 bytes); select the photo again and re-upload it.');
  }
  let info: ImageInfo;
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) {
    info = { format: 'jpeg', contentType: 'image/jpeg', ...jpegDimensions(bytes) };
  } else if (startsWith(bytes, PNG_SIGNATURE)) {
    info = { format: 'png', contentType: 'image/png', ...pngDimensions(bytes) };
  } else {
    const other = otherFormatName(bytes);
    const what = other ? `a ${other} image` : 'not a JPEG or PNG image';
    throw new ImageError(
      'UNSUPPORTED_IMAGE_FORMAT',
      `This file is ${what}; only JPEG and PNG are accepted (checked by content, not by file name). Convert it to JPEG or PNG and upload it again.`,
    );
  }
  if (info.width < MIN_IMAGE_SIDE || info.height < MIN_IMAGE_SIDE) {
    throw new ImageError(
      'IMAGE_TOO_SMALL',
      `This image is ${info.width}x${info.height} px; each side must be at least ${MIN_IMAGE_SIDE} px. Upload a larger photo.`,
    );
  }
  if (info.width * info.height > MAX_IMAGE_PIXELS) {
    throw new ImageError(
      'IMAGE_TOO_LARGE',
      `This image declares ${info.width}x${info.height} px (${Math.round((info.width * info.height) / 1e6)} megapixels); at most ${Math.floor(MAX_IMAGE_PIXELS / 1e6)} megapixels are accepted. Resize it (4096 px on the long side is plenty for faces) and upload it again.`,
    );
  }
  return info;
}
