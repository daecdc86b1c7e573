// One upload, image by image: validate, then index each distinct content once (image-indexing.ts), within the
// Lambda's time budget. Each image ends as a result or an ImageError of its own; nothing here fails the batch.
// At most INDEX_CONCURRENCY IndexFaces calls run at once, and as many images more are claimed and stored ahead
// while they run (indexing-stages.ts), so a call slot that frees has its next image ready: the request takes close
// to ceil(images / concurrency) IndexFaces round trips, not that plus a claim and an S3 write per round.
import { randomUUID } from 'node:crypto';
import type { BulkUploadSettings } from '../config.js';
import type { FaceIndex, ImageRecordStore, ImageStore, IndexFacesResult } from '../ports.js';
import { faceIndexError, ImageError, isCollectionMissing } from './errors.js';
import { inspectImage } from './image-format.js';
import { indexImageOnce, type IndexedImage, type ImageToIndex } from './image-indexing.js';
import type { UploadedFile } from './multipart.js';
import { collectionIdFor, externalImageIdFor, imageKeyFor, metadataValue, sha256Hex } from './naming.js';
import { IndexingStages } from './indexing-stages.js';

export type ImageOutcome =
  /** `replayed`: answered without an IndexFaces call of its own (a repeat, or the same photo earlier in the upload). */
  | { externalImageId: string; result: IndexFacesResult; replayed: boolean; error?: undefined }
  | { externalImageId: string; error: ImageError; result?: undefined };

export interface BulkIndexRequest {
  tenantId: string;
  collection: string;
  files: readonly UploadedFile[];
}

export interface BulkIndexDependencies {
  images: ImageStore;
  faces: FaceIndex;
  records: ImageRecordStore;
  settings: BulkUploadSettings;
  /** Milliseconds the invocation has left (the Lambda context's); without it, no image is held back. */
  remainingTimeMs?: () => number;
  /**
   * Settles when the invocation must answer, finished or not: images still in flight then are answered as
   * INDEXING_CUT_OFF instead of losing the whole answer to the function's timeout.
   */
  answerDeadline?: Promise<void>;
  /** Epoch milliseconds, for claim expiry. */
  now?: () => number;
  newClaimId?: () => string;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * IndexFaces first, and only when Rekognition answers that the collection does not exist, create it and
 * retry: the usual request costs no extra call. Concurrent images of one request share one creation; a
 * concurrent request creating it too is fine (ensureCollection accepts "already exists").
 */
function collectionCreatingIndexer(faces: FaceIndex, collectionId: string) {
  let creation: Promise<void> | undefined;
  const ensureCreated = () => {
    creation ??= faces.ensureCollection(collectionId).catch((error: unknown) => {
      creation = undefined;
      throw error;
    });
    return creation;
  };
  return async (request: Omit<Parameters<FaceIndex['indexFaces']>[0], 'collectionId'>): Promise<IndexFacesResult> => {
    try {
      return await faces.indexFaces({ ...request, collectionId });
    } catch (error) {
      if (!isCollectionMissing(error)) throw error;
      await ensureCreated();
      return faces.indexFaces({ ...request, collectionId });
    }
  };
}

function notProcessed(): ImageError {
  return new ImageError(
    'NOT_PROCESSED',
    'This image was not processed: the request ran out of time before its turn came. Send it again, in a smaller batch if this recurs.',
  );
}

function cutOff(): ImageError {
  return new ImageError(
    'INDEXING_CUT_OFF',
    'This image was still being indexed when the request had to answer. Send it again: once its indexing ends you get its faces, and it is never indexed twice.',
  );
}

interface ContentIndexing {
  indexing: Promise<IndexedImage>;
  /** Past its time check: claimed, or about to be. */
  started: boolean;
}

export async function indexUploadedImages(request: BulkIndexRequest, dependencies: BulkIndexDependencies): Promise<ImageOutcome[]> {
  const { images, faces, records, settings, remainingTimeMs, answerDeadline } = dependencies;
  const indexFaces = collectionCreatingIndexer(faces, collectionIdFor(settings.collectionPrefix, request.tenantId, request.collection));
  const steps = {
    records,
    images,
    claimTimeoutMs: settings.claimTimeoutMs,
    now: dependencies.now ?? Date.now,
    newClaimId: dependencies.newClaimId ?? randomUUID,
  };
  const stages = new IndexingStages(settings.indexConcurrency);
  /** The longest IndexFaces call of this request so far, on the invocation's clock. */
  let longestCallMs = 0;
  let answering = false;
  void answerDeadline?.then(() => (answering = true));
  /** Whether an IndexFaces call starting `afterMs` from now still leaves the reserve. */
  const timeLeftForCall = (afterMs: number) => !answering && (remainingTimeMs === undefined || remainingTimeMs() - afterMs >= settings.timeReserveMs);

  async function timedCall(call: () => Promise<IndexFacesResult>): Promise<IndexFacesResult> {
    const remainingAtStart = remainingTimeMs?.();
    try {
      return await call();
    } finally {
      if (remainingAtStart !== undefined) longestCallMs = Math.max(longestCallMs, remainingAtStart - remainingTimeMs!());
    }
  }

  /** Claims, stores and indexes one content once; `onStart` runs when it is past the time check and committed. */
  async function indexContent(image: ImageToIndex, onStart: () => void): Promise<IndexedImage> {
    const pass = await stages.enter();
    try {
      // Prepared ahead only when a call as long as the longest so far would leave the reserve when its turn comes:
      // otherwise it waits for its turn first, so an image the time budget holds back is never claimed or stored.
      if (pass.ahead && !timeLeftForCall(longestCallMs)) await pass.enterCalling();
      if (!timeLeftForCall(0)) throw notProcessed();
      onStart();
      return await indexImageOnce(image, {
        ...steps,
        indexFaces: async ({ image: stored, externalImageId }) => {
          await pass.enterCalling();
          // Prepared ahead, but the calls before it outlasted the longest one seen: not indexed, its claim released.
          if (!timeLeftForCall(0)) throw notProcessed();
          try {
            return await timedCall(() => indexFaces({ image: stored, externalImageId, maxFaces: settings.maxFaces, qualityFilter: settings.qualityFilter }));
          } finally {
            // Left before the record is completed: the next prepared image calls IndexFaces meanwhile.
            pass.leave();
          }
        },
      });
    } finally {
      pass.leave();
    }
  }

  // The same photo twice in one upload is indexed once; both entries get its answer.
  const byContent = new Map<string, ContentIndexing>();

  /** At the answer deadline, an image not started yet is not processed; one started is cut off. */
  function untilDeadline(content: ContentIndexing): Promise<IndexedImage> {
    if (!answerDeadline) return content.indexing;
    const deadline = answerDeadline.then((): never => {
      throw content.started ? cutOff() : notProcessed();
    });
    return Promise.race([content.indexing, deadline]);
  }

  async function processImage(file: UploadedFile): Promise<ImageOutcome> {
    const contentSha256 = sha256Hex(file.bytes);
    const externalImageId = externalImageIdFor(file.fileName, contentSha256);
    try {
      if (file.tooLarge) {
        throw new ImageError(
          'IMAGE_TOO_LARGE',
          `This file is larger than ${megabytes(settings.maxImageBytes)}; resize or recompress it below that and upload it again.`,
        );
      }
      const info = inspectImage(file.bytes);
      let content = byContent.get(contentSha256);
      const sharedWithEarlierEntry = content !== undefined;
      if (!content) {
        const progress = { started: false };
        const indexing = indexContent(
          {
            record: { tenantId: request.tenantId, collection: request.collection, contentSha256 },
            externalImageId,
            imageKey: imageKeyFor(request.tenantId, request.collection, contentSha256, info.format === 'jpeg' ? 'jpg' : 'png'),
            bytes: file.bytes,
            contentType: info.contentType,
            metadata: {
              'original-filename': metadataValue(file.fileName),
              'declared-content-type': metadataValue(file.declaredContentType),
            },
          },
          () => (progress.started = true),
        );
        content = Object.assign(progress, { indexing });
        byContent.set(contentSha256, content);
      }
      const { result, replayed } = await untilDeadline(content);
      return { externalImageId, result, replayed: replayed || sharedWithEarlierEntry };
    } catch (error) {
      // Validation, storage and record failures are ImageErrors already; anything else came from the face index.
      return { externalImageId, error: faceIndexError(error) };
    }
  }

  return Promise.all(request.files.map(processImage));
}
