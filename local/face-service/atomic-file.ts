// Crash-safe file writes: a reader (or the next start after a kill) sees the old file or the new one, never a
// half-written one. Temp files left by a kill end in TEMP_SUFFIX and are swept on start.
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const TEMP_SUFFIX = '.tmp';

async function fsyncPath(target: string, flags: string): Promise<void> {
  const handle = await open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename or unlink inside `directory` durable. */
export const fsyncDirectory = (directory: string): Promise<void> => fsyncPath(directory, 'r');

export async function writeFileAtomic(target: string, contents: string): Promise<void> {
  const temp = `${target}.${randomUUID()}${TEMP_SUFFIX}`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(path.dirname(target));
}

export async function removeFileDurably(target: string): Promise<void> {
  await rm(target, { force: true });
  await fsyncDirectory(path.dirname(target));
}
