// Finds the photos to upload: walks folders (hidden files and folders left out, symbolic links to folders not
// followed, so a loop cannot trap the walk), recognizes formats by content as the API does, and hashes each file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export type Format =
  | { kind: 'sendable'; contentType: 'image/jpeg' | 'image/png' }
  | { kind: 'unsupported'; reason: string };

const NOT_ACCEPTED = 'Rekognition accepts only JPEG and PNG: convert it to JPEG and run again.';

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1']);

/** What the first bytes of a file say it is (an extension can lie: a phone's .jpg may hold HEIC). */
export function detectFormat(header: Uint8Array, size: number): Format {
  const bytes = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  if (size === 0) return { kind: 'unsupported', reason: 'The file is empty.' };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { kind: 'sendable', contentType: 'image/jpeg' };
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { kind: 'sendable', contentType: 'image/png' };
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (HEIF_BRANDS.has(brand)) return { kind: 'unsupported', reason: `HEIC/HEIF photo (as iPhones take them); ${NOT_ACCEPTED}` };
    if (brand === 'avif' || brand === 'avis') return { kind: 'unsupported', reason: `AVIF image; ${NOT_ACCEPTED}` };
    return { kind: 'unsupported', reason: 'A video or ISO media file, not a photo.' };
  }
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { kind: 'unsupported', reason: `WebP image; ${NOT_ACCEPTED}` };
  if (ascii(0, 4) === 'GIF8') return { kind: 'unsupported', reason: `GIF image; ${NOT_ACCEPTED}` };
  if (ascii(0, 2) === 'BM') return { kind: 'unsupported', reason: `BMP image; ${NOT_ACCEPTED}` };
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return { kind: 'unsupported', reason: `TIFF image (or camera raw); ${NOT_ACCEPTED}` };
  if (ascii(0, 4) === '%PDF') return { kind: 'unsupported', reason: 'PDF document, not a photo.' };
  return { kind: 'unsupported', reason: 'Not a JPEG or PNG image.' };
}

export interface FoundFile {
  /** Absolute path: the same photo has the same path in the report whatever folder the command runs from. */
  path: string;
  bytes: number;
}

export class MissingInputError extends Error {}

async function walk(directory: string, found: FoundFile[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walk(path, found);
    else if (entry.isFile()) found.push({ path, bytes: (await stat(path)).size });
    else if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      if (target?.isFile()) found.push({ path, bytes: target.size });
    }
  }
}

/** The files named and those inside the folders named, each once, in a stable order. */
export async function findFiles(inputs: readonly string[]): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new MissingInputError(`${input}: no such file or folder.`);
    if (info.isDirectory()) await walk(path, found);
    else found.push({ path, bytes: info.size });
  }
  const seen = new Set<string>();
  return found.filter((file) => !seen.has(file.path) && seen.add(file.path));
}

export async function readHeader(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const header = new Uint8Array(16);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    return header.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
