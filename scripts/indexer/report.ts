// The JSON Lines report: one line per photo and outcome, appended as soon as the outcome is known, so an
// interrupted run loses nothing. Read back, it tells a new run which photos are already indexed: same collection,
// same path, same content (SHA-256). A photo whose content changed since is indexed again.
import { appendFile, readFile } from 'node:fs/promises';

export type PhotoStatus = 'indexed' | 'failed' | 'skipped';

export interface ReportError {
  code: string;
  message: string;
}

export interface ReportRecord {
  path: string;
  sha256: string;
  bytes: number;
  collection: string;
  status: PhotoStatus;
  /** Faces indexed (FaceRecords); 0 unless indexed. */
  faces: number;
  faceIds: string[];
  /** Faces found but not indexed (UnindexedFaces), with their reasons. */
  unindexedFaces: number;
  externalImageId?: string;
  error?: ReportError;
  attempts: number;
  at: string;
}

export const indexedKey = (collection: string, path: string, sha256: string): string => JSON.stringify([collection, path, sha256]);

/**
 * The photos a report shows as indexed. Lines that cannot be read (the last one, cut by a crash, or lines edited
 * by hand) are counted, not fatal: they only mean those photos are sent again, which the API answers idempotently.
 */
export function indexedInReport(text: string): { indexed: Set<string>; unreadableLines: number } {
  const indexed = new Set<string>();
  let unreadableLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let record: Partial<ReportRecord>;
    try {
      record = JSON.parse(line) as Partial<ReportRecord>;
    } catch {
      unreadableLines += 1;
      continue;
    }
    const { collection, path, sha256, status } = record;
    if (typeof collection !== 'string' || typeof path !== 'string' || typeof sha256 !== 'string') {
      unreadableLines += 1;
      continue;
    }
    if (status === 'indexed') indexed.add(indexedKey(collection, path, sha256));
  }
  return { indexed, unreadableLines };
}

export async function readIndexedPhotos(reportPath: string): Promise<{ indexed: Set<string>; unreadableLines: number }> {
  let text: string;
  try {
    text = await readFile(reportPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { indexed: new Set(), unreadableLines: 0 };
    throw error;
  }
  return indexedInReport(text);
}

/** Appends records one write at a time, in the order outcomes arrive. */
export function createReportWriter(reportPath: string): { write(record: ReportRecord): Promise<void>; flushed(): Promise<void> } {
  let queue: Promise<void> = Promise.resolve();
  return {
    write(record) {
      queue = queue.then(() => appendFile(reportPath, `${JSON.stringify(record)}\n`));
      return queue;
    },
    flushed: () => queue,
  };
}
