import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const FACES_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'faces');

export function fixture(name: string): Promise<Buffer> {
  return readFile(join(FACES_DIR, name));
}

export async function photoBlob(name: string, type = 'image/jpeg'): Promise<Blob> {
  return new Blob([await fixture(name)], { type });
}
