import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BulkUploadSettings } from '../../../lambda/config.js';
import { SUCCESS_MESSAGE } from '../../../lambda/core/bulk-response.js';
import { ANSWER_MARGIN_MS, type Wait } from '../../../lambda/core/time-budget.js';
import { createBulkUploadHandler } from '../../../lambda/handlers/bulk-upload.js';
import type { FaceIndex } from '../../../lambda/ports.js';
import { FakeFaceIndex, FakeImageRecordStore, FakeImageStore } from '../support/fakes.js';
import { testSettings } from '../support/settings.js';
import { distinctJpeg, encodeForm, proxyEvent, uploadForm } from '../support/upload-events.js';

const FUNCTION_TIMEOUT_MS = 28_000;
/** What one IndexFaces call costs on the fake clock. */
const INDEX_FACES_MS = 3000;
const SETTINGS = testSettings({ indexConcurrency: 1 });

let images: FakeImageStore;
let faces: FakeFaceIndex;
let records: FakeImageRecordStore;
/** Milliseconds spent by the invocation, on a clock only the test moves. */
let elapsed: number;

beforeEach(() => {
  images = new FakeImageStore();
  faces = new FakeFaceIndex(() => 1, images);
  records = new FakeImageRecordStore();
  elapsed = 0;
});

/** IndexFaces as slow as INDEX_FACES_MS on the fake clock. */
function slowFaces(): FaceIndex {
  return {
    ensureCollection: (collectionId) => faces.ensureCollection(collectionId),
    async indexFaces(request) {
      const result = await faces.indexFaces(request);
      elapsed += INDEX_FACES_MS;
      return result;
    },
  };
}

/**
 * IndexFaces hanging on one image until `finish`: when the call starts, the clock jumps to the answer deadline,
 * which the returned `wait` then reaches.
 */
function hangingIndexFaces(externalImageId: string) {
  let reachDeadline = () => {};
  const deadline = new Promise<void>((resolve) => (reachDeadline = resolve));
  let finishCall = () => {};
  const finished = new Promise<void>((resolve) => (finishCall = resolve));
  let hungCall: Promise<unknown> | undefined;
  let waitedMs: number | undefined;
  const slow = slowFaces();
  const hanging: FaceIndex = {
    ensureCollection: slow.ensureCollection,
    indexFaces(request) {
      if (request.externalImageId !== externalImageId) return slow.indexFaces(request);
      elapsed = FUNCTION_TIMEOUT_MS - ANSWER_MARGIN_MS;
      // A moment later, as on a real clock: the image before this one completes its record meanwhile.
      setImmediate(reachDeadline);
      const call = finished.then(() => faces.indexFaces(request));
      hungCall = call;
      return call;
    },
  };
  return {
    faces: hanging,
    wait: (ms: number) => {
      waitedMs = ms;
      return deadline;
    },
    waitedMs: () => waitedMs,
    /** Lets the hung call end, and waits until the abandoned indexing has settled its record. */
    async finish() {
      finishCall();
      await hungCall;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function lambdaContext(timeoutMs = FUNCTION_TIMEOUT_MS): Context {
  return { awsRequestId: 'request-1', getRemainingTimeInMillis: () => Math.max(0, timeoutMs - elapsed) } as Context;
}

const photos = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => new File([distinctJpeg('bw_photo.jpeg', from + i)], `photo-${from + i}.jpg`, { type: 'image/jpeg' }));

type Entry = { FaceRecords?: unknown[]; ExternalImageId?: string; Error?: { Code: string; Message: string } };

async function upload(files: File[], options: { context?: Context; settings?: Partial<BulkUploadSettings>; faces?: FaceIndex; wait?: Wait } = {}) {
  faces.collections.add('facegate-test-tenant1-staff');
  const handler = createBulkUploadHandler({
    images,
    faces: options.faces ?? slowFaces(),
    records,
    config: { ...SETTINGS, ...options.settings },
    log: () => undefined,
    // The answer deadline never comes unless a test brings it.
    wait: options.wait ?? (() => new Promise<void>(() => undefined)),
  });
  const encoded = await encodeForm(uploadForm('staff', files));
  const response = await handler(proxyEvent(encoded, { tenantId: 'tenant1' }), options.context ?? lambdaContext());
  return { ...response, json: JSON.parse(response.body) as { message: string; data: Entry[]; error?: { code: string } } };
}

describe('the time budget', () => {
  it('stops starting images once the time left falls below the reserve and answers with what it finished', async () => {
    // Image i starts at i × 3 s; it may start while 28 s − i × 3 s ≥ 8 s, so images 0 to 6 run.
    const response = await upload(photos(10));
    expect(response.statusCode).toBe(201);
    expect(response.json.message).toContain('3 of 10 images failed');
    expect(response.json.data.slice(0, 7).every((entry) => entry.FaceRecords?.length === 1)).toBe(true);
    expect(response.json.data.slice(7)).toEqual(
      ['photo-7.jpg', 'photo-8.jpg', 'photo-9.jpg'].map((name) => ({
        ExternalImageId: name,
        Error: { Code: 'NOT_PROCESSED', Message: expect.stringContaining('ran out of time') },
      })),
    );
  });

  it('neither stores, records nor indexes the images it did not start', async () => {
    await upload(photos(10));
    expect(images.objects.size).toBe(7);
    expect(records.records.size).toBe(7);
    expect(faces.indexCalls).toHaveLength(7);
  });

  it('lets the images already in flight finish', async () => {
    // Three at a time: images 0-2 start at 0 s and finish at 9 s, 3-5 start before 20 s, then time is short.
    const response = await upload(photos(12), { settings: { indexConcurrency: 3 } });
    const processed = response.json.data.filter((entry) => entry.FaceRecords);
    expect(processed.length).toBeGreaterThan(3);
    expect(processed.length).toBe(faces.indexCalls.length);
    expect(response.json.data.slice(processed.length).every((entry) => entry.Error?.Code === 'NOT_PROCESSED')).toBe(true);
  });

  it('answers NOT_PROCESSED an image stored ahead whose turn came too late, without indexing it, and indexes it when sent again', async () => {
    // The first call outlasts anything seen before it: the image stored behind it finds too little time left.
    const firstCallSlow: FaceIndex = {
      ensureCollection: (collectionId) => faces.ensureCollection(collectionId),
      async indexFaces(request) {
        const result = await faces.indexFaces(request);
        elapsed += request.externalImageId === 'photo-0.jpg' ? 25_000 : INDEX_FACES_MS;
        return result;
      },
    };
    const response = await upload(photos(2), { faces: firstCallSlow });
    expect(response.json.data.map((entry) => entry.Error?.Code ?? 'processed')).toEqual(['processed', 'NOT_PROCESSED']);
    expect(faces.indexCalls.map((call) => call.externalImageId)).toEqual(['photo-0.jpg']);
    expect(images.objects.size).toBe(2);

    elapsed = 0;
    const retried = await upload(photos(1, 1));
    expect(retried.json.message).toBe(SUCCESS_MESSAGE);
    expect(faces.indexCalls.map((call) => call.externalImageId)).toEqual(['photo-0.jpg', 'photo-1.jpg']);
  });

  it('takes the reserve from the configuration', async () => {
    const response = await upload(photos(10), { settings: { timeReserveMs: 20_000 } });
    // 28 s − i × 3 s ≥ 20 s: images 0 to 2.
    expect(response.json.data.filter((entry) => entry.FaceRecords)).toHaveLength(3);
  });

  it('answers 503 with Retry-After when too little time is left for the first image', async () => {
    const response = await upload(photos(2), { context: lambdaContext(5000) });
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect(response.json.data.map((entry) => entry.Error?.Code)).toEqual(['NOT_PROCESSED', 'NOT_PROCESSED']);
    expect(faces.indexCalls).toHaveLength(0);
  });

  it('still tells the client about an image it could never index, even out of time', async () => {
    const response = await upload([new File([], 'empty.jpg'), ...photos(1)], { context: lambdaContext(5000) });
    expect(response.json.data.map((entry) => entry.Error?.Code)).toEqual(['EMPTY_IMAGE', 'NOT_PROCESSED']);
    expect(response.statusCode).toBe(503);
  });

  it('indexes the images not processed when they are sent again', async () => {
    const first = await upload(photos(10));
    const notProcessed = first.json.data.flatMap((entry, i) => (entry.Error?.Code === 'NOT_PROCESSED' ? [i] : []));
    elapsed = 0;
    const retried = await upload(notProcessed.map((i) => photos(1, i)[0]!));
    expect(retried.statusCode).toBe(201);
    expect(retried.json.message).toBe(SUCCESS_MESSAGE);
    expect(faces.indexCalls).toHaveLength(10);
  });

  describe('when an image in flight outlasts the reserve', () => {
    it('answers at the deadline with what it finished, the image still in flight reported as INDEXING_CUT_OFF', async () => {
      const hung = hangingIndexFaces('photo-2.jpg');
      const response = await upload(photos(5), { faces: hung.faces, wait: hung.wait });
      expect(hung.waitedMs()).toBe(FUNCTION_TIMEOUT_MS - ANSWER_MARGIN_MS);
      expect(response.statusCode).toBe(201);
      expect(response.json.data.map((entry) => entry.Error?.Code ?? 'processed')).toEqual(['processed', 'processed', 'INDEXING_CUT_OFF', 'NOT_PROCESSED', 'NOT_PROCESSED']);
      expect(response.json.data[2]!.Error!.Message).toContain('never indexed twice');
    });

    it('lets the cut-off image complete its record later, so sending it again returns its faces without indexing it twice', async () => {
      const hung = hangingIndexFaces('photo-2.jpg');
      await upload(photos(5), { faces: hung.faces, wait: hung.wait });
      const [photo2] = photos(1, 2);
      elapsed = 0;
      expect((await upload([photo2!])).json.data[0]!.Error!.Code).toBe('IMAGE_IN_PROGRESS');

      await hung.finish();
      const retried = await upload([photo2!]);
      expect(retried.statusCode).toBe(201);
      expect(faces.indexCalls.filter((call) => call.externalImageId === 'photo-2.jpg')).toHaveLength(1);
    });
  });

  it('holds nothing back without a Lambda context', async () => {
    const handler = createBulkUploadHandler({ images, faces: slowFaces(), records, config: SETTINGS, log: () => undefined });
    faces.collections.add('facegate-test-tenant1-staff');
    const response = await handler(proxyEvent(await encodeForm(uploadForm('staff', photos(12))), { tenantId: 'tenant1' }));
    expect(response.statusCode).toBe(201);
    expect(faces.indexCalls).toHaveLength(12);
  });
});
