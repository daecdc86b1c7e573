import { beforeEach, describe, expect, it } from 'vitest';
import { SUCCESS_MESSAGE } from '../../../lambda/core/bulk-response.js';
import { collectionIdFor, sha256Hex } from '../../../lambda/core/naming.js';
import { createBulkUploadHandler } from '../../../lambda/handlers/bulk-upload.js';
import type { FaceIndex, ImageRecordStore, ImageStore } from '../../../lambda/ports.js';
import { crashingAdapters, type CrashPoint } from '../support/crashing-adapters.js';
import { FakeFaceIndex, FakeImageRecordStore, FakeImageStore, sdkError } from '../support/fakes.js';
import { testSettings } from '../support/settings.js';
import { distinctJpeg, encodeForm, fixture, proxyEvent, uploadForm } from '../support/upload-events.js';

const SETTINGS = testSettings();
const CLAIM_TIMEOUT_MS = SETTINGS.claimTimeoutMs;
const TENANT = 'a1b2c3d4';
const COLLECTION_ID = collectionIdFor('facegate-test', TENANT, 'staff');
const GROUP = fixture('group_6_faces.jpg');
const GROUP_RECORD = { tenantId: TENANT, collection: 'staff', contentSha256: sha256Hex(GROUP) };
const GROUP_KEY = `tenants/${TENANT}/collections/staff/${sha256Hex(GROUP)}.jpg`;

let images: FakeImageStore;
let faces: FakeFaceIndex;
let records: FakeImageRecordStore;
let now: number;
let logLines: Array<Record<string, unknown>>;

beforeEach(() => {
  images = new FakeImageStore();
  // Every photo named group* has 6 faces, every other one 1; IndexFaces reads the original from `images`.
  faces = new FakeFaceIndex((externalImageId) => (externalImageId.startsWith('group') ? 6 : 1), images);
  records = new FakeImageRecordStore();
  now = Date.UTC(2026, 0, 1);
  logLines = [];
});

interface Adapters {
  images: ImageStore;
  faces: FaceIndex;
  records: ImageRecordStore;
}

type Entry = { FaceRecords: Array<{ Face: { FaceId: string; ExternalImageId: string } }>; Error?: { Code: string; Message: string } };

async function upload(files: File[], options: { adapters?: Adapters; collection?: string; tenantId?: string } = {}) {
  const handler = createBulkUploadHandler({
    images,
    faces,
    records,
    ...options.adapters,
    config: SETTINGS,
    now: () => now,
    log: (line) => logLines.push(line),
  });
  const encoded = await encodeForm(uploadForm(options.collection ?? 'staff', files));
  const response = await handler(proxyEvent(encoded, { tenantId: options.tenantId ?? TENANT }));
  return { ...response, json: JSON.parse(response.body) as { message: string; data: Entry[]; error?: { code: string } } };
}

const groupPhoto = (name = 'group.jpg') => new File([GROUP], name, { type: 'image/jpeg' });
const faceIdsOf = (entry: Entry | undefined) => entry?.FaceRecords.map((record) => record.Face.FaceId) ?? [];

/** No face in the collection without its original in the image store and a record fixing its ExternalImageId. */
function expectEveryFaceBackedByOriginalAndRecord(): void {
  for (const face of faces.facesOf(COLLECTION_ID)) {
    expect(images.objects.has(face.imageKey), `original of face ${face.faceId}`).toBe(true);
    const record = [...records.records.values()].find((candidate) => candidate.imageKey === face.imageKey);
    expect(record?.externalImageId, `record of face ${face.faceId}`).toBe(face.externalImageId);
  }
}

/** The state a finished upload of the group photo must leave: one set of 6 faces, its original, its record. */
function expectGroupIndexedOnce(answer: Entry | undefined, externalImageId: string): void {
  const stored = faces.facesOf(COLLECTION_ID);
  expect(stored).toHaveLength(6);
  expect(new Set(stored.map((face) => face.externalImageId))).toEqual(new Set([externalImageId]));
  expect(faceIdsOf(answer).sort()).toEqual(stored.map((face) => face.faceId).sort());
  expect(Buffer.from(images.objects.get(GROUP_KEY)!.bytes).equals(GROUP)).toBe(true);
  const record = records.recordOf(GROUP_RECORD);
  expect(record?.status).toBe('complete');
  expect(record?.status === 'complete' && faceIdsOf(record.result as Entry).sort()).toEqual(faceIdsOf(answer).sort());
  expectEveryFaceBackedByOriginalAndRecord();
}

describe('sending the same photo again into the same collection', () => {
  it('answers with the faces indexed the first time, without calling IndexFaces again', async () => {
    const first = await upload([groupPhoto()]);
    const calls = faces.indexCalls.length;
    const repeat = await upload([groupPhoto()]);
    expect(repeat.statusCode).toBe(201);
    expect(repeat.json.message).toBe(SUCCESS_MESSAGE);
    expect(repeat.json.data[0]).toEqual(first.json.data[0]);
    expect(faces.indexCalls).toHaveLength(calls);
    expectGroupIndexedOnce(repeat.json.data[0], 'group.jpg');
    expect(logLines.at(-1)).toMatchObject({ processed: 1, replayed: 1, facesIndexed: 0 });
  });

  it('creates no second face when the photo comes back under another file name, and answers with the first name', async () => {
    await upload([groupPhoto('group-first.jpg')]);
    const renamed = await upload([groupPhoto('group renamed (2).jpg')]);
    expect(renamed.statusCode).toBe(201);
    expect(renamed.json.data[0]!.FaceRecords.map((record) => record.Face.ExternalImageId)).toEqual(Array(6).fill('group-first.jpg'));
    expectGroupIndexedOnce(renamed.json.data[0], 'group-first.jpg');
  });

  it('indexes a photo sent twice in one upload once and answers both entries with its faces', async () => {
    const response = await upload([groupPhoto('group-a.jpg'), groupPhoto('group-b.jpg')]);
    expect(response.statusCode).toBe(201);
    expect(faces.indexCalls).toHaveLength(2); // the first call created the collection
    expect(faceIdsOf(response.json.data[1])).toEqual(faceIdsOf(response.json.data[0]));
    expectGroupIndexedOnce(response.json.data[0], 'group-a.jpg');
    expect(logLines.at(-1)).toMatchObject({ processed: 2, replayed: 1, facesIndexed: 6 });
  });

  it('indexes it again into another collection or for another tenant', async () => {
    await upload([groupPhoto()]);
    await upload([groupPhoto()], { collection: 'visitors' });
    await upload([groupPhoto()], { tenantId: 'other-tenant' });
    expect(faces.facesOf(COLLECTION_ID)).toHaveLength(6);
    expect(faces.facesOf(collectionIdFor('facegate-test', TENANT, 'visitors'))).toHaveLength(6);
    expect(faces.facesOf(collectionIdFor('facegate-test', 'other-tenant', 'staff'))).toHaveLength(6);
    expect(records.records.size).toBe(3);
  });

  it('indexes a changed photo (other bytes) as a new image', async () => {
    await upload([new File([distinctJpeg('bw_photo.jpeg', 1)], 'photo.jpg')]);
    await upload([new File([distinctJpeg('bw_photo.jpeg', 2)], 'photo.jpg')]);
    expect(faces.facesOf(COLLECTION_ID)).toHaveLength(2);
  });
});

describe('two requests for the same photo at once', () => {
  it.each([
    ['under the same name', 'group.jpg'],
    ['under another name', 'group-copy.jpg'],
  ])('let one index it and answer the other with IMAGE_IN_PROGRESS, then its faces on retry (%s)', async (_, otherName) => {
    const [first, second] = await Promise.all([upload([groupPhoto()]), upload([groupPhoto(otherName)])]);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(503);
    expect(second.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect(second.json.data[0]!.Error).toEqual({ Code: 'IMAGE_IN_PROGRESS', Message: expect.stringContaining('retry') });

    const retried = await upload([groupPhoto(otherName)]);
    expect(retried.statusCode).toBe(201);
    expect(faceIdsOf(retried.json.data[0])).toEqual(faceIdsOf(first.json.data[0]));
    expectGroupIndexedOnce(retried.json.data[0], 'group.jpg');
  });

  it('never both index it, however many race', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => upload([groupPhoto(`group-${i}.jpg`)])));
    expect(responses.filter((response) => response.statusCode === 201)).toHaveLength(1);
    expect(faces.facesOf(COLLECTION_ID)).toHaveLength(6);
    expectEveryFaceBackedByOriginalAndRecord();
  });
});

describe('a crash between two steps', () => {
  const retryNames = [
    ['the same name', 'group.jpg'],
    ['another name', 'group-other.jpg'],
  ] as const;
  const crashPoints: CrashPoint[] = [
    'before records.create',
    'after records.create',
    'after images.put',
    'after faces.ensureCollection',
    'after faces.indexFaces',
    'after records.complete',
  ];

  async function crashedUpload(point: CrashPoint, name = 'group.jpg'): Promise<void> {
    const adapters = crashingAdapters({ images, faces, records }, point);
    await upload([groupPhoto(name)], { adapters });
    expect(adapters.crashed(), `the upload reached "${point}"`).toBe(true);
    expectEveryFaceBackedByOriginalAndRecord();
  }

  describe.each(retryNames)('followed by a retry under %s', (_, retryName) => {
    it.each(crashPoints)('%s leaves a state the retry completes, with exactly one set of faces', async (point) => {
      await crashedUpload(point);
      // The dead request never released its claim: it expires.
      now += CLAIM_TIMEOUT_MS + 1;
      const retried = await upload([groupPhoto(retryName)]);
      expect(retried.statusCode).toBe(201);
      expect(retried.json.message).toBe(SUCCESS_MESSAGE);
      // Named after the first request whenever it got as far as creating the record.
      expectGroupIndexedOnce(retried.json.data[0], point === 'before records.create' ? retryName : 'group.jpg');
    });
  });

  it.each([
    'after records.get',
    'after records.takeOver',
    'after images.put',
    'after faces.indexFaces',
  ] as const)('%s while taking over a crashed request\'s claim leaves a state the next retry completes', async (point) => {
    await crashedUpload('after faces.indexFaces');
    now += CLAIM_TIMEOUT_MS + 1;
    await crashedUpload(point, 'group second.jpg');
    now += CLAIM_TIMEOUT_MS + 1;
    const retried = await upload([groupPhoto('group third.jpg')]);
    expect(retried.statusCode).toBe(201);
    expectGroupIndexedOnce(retried.json.data[0], 'group.jpg');
  });

  it('answers a retry with IMAGE_IN_PROGRESS until the crashed request\'s claim times out', async () => {
    await crashedUpload('after faces.indexFaces');
    now += CLAIM_TIMEOUT_MS - 1;
    const early = await upload([groupPhoto()]);
    expect(early.statusCode).toBe(503);
    expect(early.json.data[0]!.Error!.Code).toBe('IMAGE_IN_PROGRESS');
    now += 2;
    expect((await upload([groupPhoto()])).statusCode).toBe(201);
    expect(faces.facesOf(COLLECTION_ID)).toHaveLength(6);
  });
});

describe('a failure on the way', () => {
  it('releases the claim when IndexFaces fails, so an immediate retry indexes the photo', async () => {
    faces.collections.add(COLLECTION_ID);
    faces.failures.push(sdkError('ThrottlingException'));
    const throttled = await upload([groupPhoto()]);
    expect(throttled.statusCode).toBe(503);
    expect(throttled.json.data[0]!.Error!.Code).toBe('THROTTLED');
    expect(faces.facesOf(COLLECTION_ID)).toHaveLength(0);

    const retried = await upload([groupPhoto('group-renamed.jpg')]);
    expect(retried.statusCode).toBe(201);
    expectGroupIndexedOnce(retried.json.data[0], 'group.jpg');
  });

  it('releases the claim when the original cannot be stored, and indexes nothing', async () => {
    images.failures.push(sdkError('SlowDown', 503));
    const failed = await upload([groupPhoto()]);
    expect(failed.json.data[0]!.Error!.Code).toBe('STORAGE_UNAVAILABLE');
    expect(faces.indexCalls).toHaveLength(0);
    expect((await upload([groupPhoto()])).statusCode).toBe(201);
  });

  it('retries completing the record before giving up on it', async () => {
    records.failNext('complete', sdkError('InternalServerError', 500), sdkError('ProvisionedThroughputExceededException'));
    const response = await upload([groupPhoto()]);
    expect(response.statusCode).toBe(201);
    expectGroupIndexedOnce(response.json.data[0], 'group.jpg');
  });

  it('reports an image whose record cannot be completed as failed and retryable, then completes it on retry', async () => {
    records.failNext('complete', ...Array.from({ length: 3 }, () => sdkError('InternalServerError', 500)));
    const failed = await upload([groupPhoto()]);
    expect(failed.statusCode).toBe(503);
    expect(failed.json.data[0]!.Error).toEqual({ Code: 'RECORD_STORE_UNAVAILABLE', Message: expect.stringContaining('indexed but could not be recorded') });
    // The faces exist; their record stays pending with its ExternalImageId, its claim released.
    expect(faces.facesOf(COLLECTION_ID)).toHaveLength(6);
    expect(records.recordOf(GROUP_RECORD)).toMatchObject({ status: 'pending', externalImageId: 'group.jpg', claimExpiresAt: 0 });
    expectEveryFaceBackedByOriginalAndRecord();

    const retried = await upload([groupPhoto('group-again.jpg')]);
    expect(retried.statusCode).toBe(201);
    expectGroupIndexedOnce(retried.json.data[0], 'group.jpg');
  });

  it('answers RECORD_STORE_UNAVAILABLE and touches nothing else when the record store is down', async () => {
    records.failNext('create', sdkError('InternalServerError', 500));
    const response = await upload([groupPhoto()]);
    expect(response.statusCode).toBe(503);
    expect(response.json.data[0]!.Error!.Code).toBe('RECORD_STORE_UNAVAILABLE');
    expect(images.objects.size).toBe(0);
    expect(faces.indexCalls).toHaveLength(0);
  });

  it('answers INTERNAL_ERROR, without the SDK message, when the record store refuses access', async () => {
    records.failNext('create', sdkError('AccessDeniedException'));
    const response = await upload([groupPhoto()]);
    expect(response.statusCode).toBe(500);
    expect(response.json.data[0]!.Error!.Code).toBe('INTERNAL_ERROR');
    expect(response.body).not.toContain('AccessDenied');
  });
});
