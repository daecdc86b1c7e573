// The bulk indexer: finds the photos, leaves out those the report shows as indexed, packs the rest into requests
// within the API's limits, sends a bounded number at once, retries what is worth retrying, records every outcome
// in the report as it arrives, and sums up. The network is one injected function, so the whole flow is testable.
import { basename, relative } from 'node:path';
import { MAX_BODY_BYTES, packBatches, largestSendable } from './batching.js';
import { detectFormat, findFiles, readHeader, sha256Of } from './photo-files.js';
import { formatDuration, startProgress, type ProgressOutput } from './progress.js';
import { createReportWriter, indexedKey, readIndexedPhotos, type ReportError, type ReportRecord } from './report.js';
import { hasAttemptsLeft, isRetryableImageCode, isRetryableStatus, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import type { BatchAnswer, ImageAnswer, PhotoToSend, SendBatch } from './upload-request.js';

export interface IndexerRun {
  inputs: readonly string[];
  /** Paths in the summary are shown relative to it when below it. */
  workingDirectory: string;
  collection: string;
  /** Where the API is, for the summary. */
  url: string;
  reportPath: string;
  concurrency: number;
  batchSize: number;
  retryPolicy: RetryPolicy;
  /** Aborted on Ctrl+C: no new request starts; answers of requests already sent are still recorded. */
  signal: AbortSignal;
}

export interface IndexerDependencies {
  send: SendBatch;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  now(): number;
  out(line: string): void;
  progress: ProgressOutput;
}

export interface IndexerOutcome {
  exitCode: 0 | 1 | 130;
  indexed: number;
  faces: number;
  failed: number;
  skipped: number;
  alreadyIndexed: number;
  notSent: number;
}

/** Answers that mean every other request would be refused too: the run stops. */
const FATAL_STATUSES = new Set([401, 403, 404]);
const MAX_LISTED = 20;

interface Listed {
  path: string;
  error: ReportError;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function describe(error: ReportError): string {
  return `${error.code}: ${error.message}`;
}

export async function runIndexer(run: IndexerRun, deps: IndexerDependencies): Promise<IndexerOutcome> {
  const started = deps.now();
  const report = createReportWriter(run.reportPath);
  const { indexed: alreadyIndexedKeys, unreadableLines } = await readIndexedPhotos(run.reportPath);
  const files = await findFiles(run.inputs);

  const counts = { indexed: 0, faces: 0, failed: 0, skipped: 0, alreadyIndexed: 0 };
  const failures: Listed[] = [];
  const skips: Listed[] = [];
  let fatal: string | undefined;

  const record = (photo: { path: string; sha256: string; bytes: number }, { status, ...fields }: Partial<ReportRecord> & Pick<ReportRecord, 'status'>, attempts: number) =>
    report.write({
      path: photo.path,
      sha256: photo.sha256,
      bytes: photo.bytes,
      collection: run.collection,
      status,
      faces: 0,
      faceIds: [],
      unindexedFaces: 0,
      attempts,
      at: new Date(deps.now()).toISOString(),
      ...fields,
    });

  const fail = (photo: PhotoToSend, error: ReportError, attempts: number) => {
    counts.failed += 1;
    failures.push({ path: photo.path, error });
    return record(photo, { status: 'failed', error }, attempts);
  };

  const toSend: PhotoToSend[] = [];
  for (const file of files) {
    const format = detectFormat(await readHeader(file.path), file.bytes);
    const sha256 = await sha256Of(file.path);
    if (format.kind === 'unsupported') {
      counts.skipped += 1;
      const error = { code: 'NOT_JPEG_OR_PNG', message: format.reason };
      skips.push({ path: file.path, error });
      await record({ ...file, sha256 }, { status: 'skipped', error }, 0);
    } else if (alreadyIndexedKeys.has(indexedKey(run.collection, file.path, sha256))) {
      counts.alreadyIndexed += 1;
    } else {
      toSend.push({ path: file.path, name: basename(file.path), bytes: file.bytes, sha256, contentType: format.contentType });
    }
  }

  const limits = { maxImages: run.batchSize, maxBodyBytes: MAX_BODY_BYTES };
  const { batches, tooLarge } = packBatches(toSend, limits);
  const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
  for (const photo of tooLarge) {
    await fail(
      photo,
      {
        code: 'TOO_LARGE_FOR_ONE_REQUEST',
        message: `${megabytes(photo.bytes)}, and one request carries ${megabytes(largestSendable(limits))} at most: downscale or recompress it.`,
      },
      0,
    );
  }

  deps.out(`Indexing into collection "${run.collection}" at ${run.url}`);
  deps.out(
    `${plural(files.length, 'file')}: ${plural(toSend.length - tooLarge.length, 'photo')} to send in ${plural(batches.length, 'request')}, ` +
      `${counts.alreadyIndexed} already indexed, ${counts.skipped} not JPEG/PNG${tooLarge.length ? `, ${tooLarge.length} too large` : ''}.`,
  );
  if (unreadableLines > 0) deps.out(`The report has ${unreadableLines} unreadable lines (an interrupted write?); their photos are sent again.`);

  const total = toSend.length;
  const sendStarted = deps.now();
  const progress = startProgress(deps.progress, () => ({
    total,
    done: counts.indexed + counts.failed,
    faces: counts.faces,
    failed: counts.failed,
    elapsedMs: deps.now() - sendStarted,
  }));

  async function recordAnswer(photo: PhotoToSend, answer: ImageAnswer, attempts: number): Promise<void> {
    const faceIds = (answer.FaceRecords ?? []).flatMap((face) => (face.Face?.FaceId ? [face.Face.FaceId] : []));
    counts.indexed += 1;
    counts.faces += faceIds.length;
    await record(
      photo,
      {
        status: 'indexed',
        faces: faceIds.length,
        faceIds,
        unindexedFaces: answer.UnindexedFaces?.length ?? 0,
        externalImageId: answer.FaceRecords?.[0]?.Face?.ExternalImageId ?? answer.ExternalImageId,
      },
      attempts,
    );
  }

  /** Waits before a retry; false when the run was interrupted meanwhile (the photos are left for the next run). */
  async function backOff(attempt: number, retryAfterMs: number | undefined): Promise<boolean> {
    await deps.sleep(retryDelayMs(run.retryPolicy, attempt, retryAfterMs, deps.random), run.signal);
    return !run.signal.aborted && !fatal;
  }

  /** Sends one batch until each photo is indexed, failed for good, or the run stops. */
  async function process(photos: PhotoToSend[], attempt: number): Promise<void> {
    const answer: BatchAnswer = await deps.send(photos);
    if (answer.kind === 'answered') {
      const retry: PhotoToSend[] = [];
      for (const [index, photo] of photos.entries()) {
        const result = answer.data[index]!;
        if (!result.Error) await recordAnswer(photo, result, attempt);
        else if (isRetryableImageCode(result.Error.Code) && hasAttemptsLeft(run.retryPolicy, attempt)) retry.push(photo);
        else await fail(photo, { code: result.Error.Code, message: result.Error.Message }, attempt);
      }
      if (retry.length > 0 && (await backOff(attempt, answer.retryAfterMs))) await process(retry, attempt + 1);
      return;
    }
    if (answer.kind === 'refused' && FATAL_STATUSES.has(answer.status)) {
      fatal ??= `The API refused the request (${answer.status} ${answer.code}): ${answer.message}`;
      return;
    }
    if (answer.kind === 'refused' && answer.status === 413 && photos.length > 1) {
      // The size estimate was short for this API (a smaller limit, a proxy): halve the request and go on.
      const half = Math.ceil(photos.length / 2);
      await process(photos.slice(0, half), attempt);
      await process(photos.slice(half), attempt);
      return;
    }
    const retryable = answer.kind === 'unreachable' || isRetryableStatus(answer.status);
    if (retryable && hasAttemptsLeft(run.retryPolicy, attempt)) {
      if (await backOff(attempt, answer.kind === 'refused' ? answer.retryAfterMs : undefined)) await process(photos, attempt + 1);
      return;
    }
    const error =
      answer.kind === 'unreachable'
        ? { code: 'API_UNREACHABLE', message: answer.message }
        : { code: answer.code, message: `${answer.status}: ${answer.message}` };
    for (const photo of photos) await fail(photo, error, attempt);
  }

  let next = 0;
  const worker = async () => {
    while (next < batches.length && !run.signal.aborted && !fatal) await process(batches[next++]!, 1);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(run.concurrency, batches.length) }, worker));
  } finally {
    progress.stop();
    await report.flushed();
  }

  const notSent = total - counts.indexed - counts.failed;
  // Relative to where the command runs when the photo is below it, absolute otherwise.
  const name = (path: string) => {
    const below = relative(run.workingDirectory, path);
    return below && !below.startsWith('..') ? below : path;
  };
  const list = (title: string, entries: Listed[]) => {
    if (entries.length === 0) return;
    deps.out(`${title}:`);
    for (const entry of entries.slice(0, MAX_LISTED)) deps.out(`  ${name(entry.path)}: ${describe(entry.error)}`);
    if (entries.length > MAX_LISTED) deps.out(`  ... and ${entries.length - MAX_LISTED} more (see the report)`);
  };
  list('Failed', failures);
  list('Skipped (not sent)', skips);
  deps.out(
    `${run.signal.aborted ? 'Interrupted' : fatal ? 'Stopped' : 'Done'} in ${formatDuration(deps.now() - started)}: ` +
      `${plural(counts.indexed, 'photo')} indexed (${plural(counts.faces, 'face')}), ${counts.failed} failed, ${counts.skipped} skipped, ` +
      `${counts.alreadyIndexed} already indexed${notSent > 0 ? `, ${notSent} not sent` : ''}.`,
  );
  if (fatal) deps.out(fatal);
  if (run.signal.aborted && notSent > 0) deps.out('Run the same command again to go on: the photos the report shows as indexed are skipped.');
  deps.out(`Report: ${run.reportPath}`);

  const exitCode = run.signal.aborted ? 130 : fatal || counts.failed > 0 ? 1 : 0;
  return { exitCode, ...counts, notSent };
}
