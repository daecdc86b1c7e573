// One image's content indexed at most once into one collection, whatever crashes or races on the way. The steps,
// each safe to repeat:
//   1. claim the image record (conditional create; or take over a claim that expired or was released; or find it
//      complete and answer with what it holds). The record fixes the ExternalImageId for this content.
//   2. store the original under its content-addressed key (a repeat overwrites it with the same bytes).
//   3. IndexFaces with the record's ExternalImageId. Rekognition stores no second copy of the same image with the
//      same ExternalImageId in the same collection, so indexing again after a crash adds no face.
//   4. complete the record with the IndexFaces answer, which every later repeat gets back.
// A crash between two steps leaves a pending record whose claim expires: the next request takes it over and runs
// the steps again. No face exists without its record (step 1) and its original (step 2) before it.
import type { ImageRecordKey, ImageRecordStore, ImageStore, IndexFacesResult, PendingImageRecord, StoredImage } from '../ports.js';
import { ImageError, imageRecordError, imageStoreError, unrecordedFacesError } from './errors.js';

export interface ImageToIndex {
  record: ImageRecordKey;
  /** Used when this request creates the record; an existing record's own ExternalImageId wins. */
  externalImageId: string;
  imageKey: string;
  bytes: Uint8Array;
  contentType: string;
  /** S3 metadata of the original; `external-image-id` is added from the record. */
  metadata: Record<string, string>;
}

export interface IndexingSteps {
  records: ImageRecordStore;
  images: ImageStore;
  indexFaces(request: { image: StoredImage; externalImageId: string }): Promise<IndexFacesResult>;
  claimTimeoutMs: number;
  /** Epoch milliseconds. */
  now(): number;
  newClaimId(): string;
}

export interface IndexedImage {
  result: IndexFacesResult;
  /** True when the answer came from a record completed earlier, without calling IndexFaces. */
  replayed: boolean;
}

/** Completing the record is what makes indexed faces answerable: it is worth a few more tries than one call's. */
const COMPLETE_ATTEMPTS = 3;

function inProgress(): ImageError {
  return new ImageError(
    'IMAGE_IN_PROGRESS',
    'Another request is indexing this same photo into this collection right now; retry in a few seconds to get its faces.',
  );
}

type Claim = { owned: PendingImageRecord; result?: undefined } | { result: IndexFacesResult; owned?: undefined };

async function claim(image: ImageToIndex, steps: IndexingSteps): Promise<Claim> {
  const { records } = steps;
  const claimId = steps.newClaimId();
  const claimExpiresAt = steps.now() + steps.claimTimeoutMs;
  const fresh: PendingImageRecord = {
    status: 'pending',
    externalImageId: image.externalImageId,
    imageKey: image.imageKey,
    claimId,
    claimExpiresAt,
  };
  if (await records.create(image.record, fresh)) return { owned: fresh };

  const existing = await records.get(image.record);
  // Absent right after "already exists" only when an operator deleted it meanwhile: the next attempt recreates it.
  if (!existing) throw inProgress();
  if (existing.status === 'complete') return { result: existing.result };
  if (existing.claimExpiresAt > steps.now()) throw inProgress();
  // Expired or released: its holder crashed or gave up. Only one of several racing requests moves the claim.
  if (!(await records.takeOver(image.record, existing.claimId, { claimId, claimExpiresAt }))) throw inProgress();
  return { owned: { ...existing, claimId, claimExpiresAt } };
}

async function completeRecord(key: ImageRecordKey, result: IndexFacesResult, records: ImageRecordStore): Promise<IndexFacesResult> {
  let lastError: unknown;
  for (let attempt = 0; attempt < COMPLETE_ATTEMPTS; attempt += 1) {
    try {
      if (await records.complete(key, result)) return result;
      // Completed first by a request that took over our expired claim: its answer names the same faces.
      const current = await records.get(key);
      if (current?.status === 'complete') return current.result;
      lastError = Object.assign(new Error('The image record disappeared before it could be completed'), { name: 'ImageRecordMissing' });
    } catch (error) {
      lastError = error;
    }
  }
  throw unrecordedFacesError(lastError);
}

/** Lets a retry take over at once instead of waiting for the claim to expire; a failure here only delays it. */
async function releaseQuietly(key: ImageRecordKey, claimId: string, records: ImageRecordStore): Promise<void> {
  try {
    await records.release(key, claimId);
  } catch {
    // The claim expires after the claim timeout anyway.
  }
}

/**
 * Indexes the image unless its record is complete already, and returns the answer every request for this content
 * gets. Fails with an ImageError, or with the face index's own error for the caller to map.
 */
export async function indexImageOnce(image: ImageToIndex, steps: IndexingSteps): Promise<IndexedImage> {
  const claimed = await claim(image, steps).catch((error: unknown) => {
    throw imageRecordError(error);
  });
  if (claimed.result) return { result: claimed.result, replayed: true };

  const record = claimed.owned;
  try {
    const stored = await steps.images
      .put({
        key: record.imageKey,
        bytes: image.bytes,
        sha256: image.record.contentSha256,
        contentType: image.contentType,
        metadata: { ...image.metadata, 'external-image-id': record.externalImageId },
      })
      .catch((error: unknown) => {
        throw imageStoreError(error);
      });
    const result = await steps.indexFaces({ image: stored, externalImageId: record.externalImageId });
    return { result: await completeRecord(image.record, result, steps.records), replayed: false };
  } catch (error) {
    await releaseQuietly(image.record, record.claimId, steps.records);
    throw error;
  }
}
