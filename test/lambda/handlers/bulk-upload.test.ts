import { beforeEach, describe, expect, it } from 'vitest';
import type { BulkUploadSettings } from '../../../lambda/config.js';
import { SUCCESS_MESSAGE } from '../../../lambda/core/bulk-response.js';
import { collectionIdFor, sha256Hex } from '../../../lambda/core/naming.js';
import { createBulkUploadHandler } from '../../../lambda/handlers/bulk-upload.js';
import type { FaceIndex } from '../../../lambda/ports.js';
import { FakeFaceIndex, FakeImageRecordStore, FakeImageStore, sdkError } from '../support/fakes.js';
import { testSettings } from '../support/settings.js';
import { distinctJpeg, encodeForm, fixture, imageFile, proxyEvent, uploadForm } from '../support/upload-events.js';

const SETTINGS = testSettings();
const TENANT = 'a1b2c3d4';
const TOKEN = 'secret-token-never-logged';

let images: FakeImageStore;
let faces: FakeFaceIndex;
let records: FakeImageRecordStore;
let logLines: Array<Record<string, unknown>>;

beforeEach(() => {
  images = new FakeImageStore();
  faces = new FakeFaceIndex((externalImageId) => (externalImageId.startsWith('group_6') ? 6 : externalImageId.startsWith('no_face') ? 0 : 1));
  records = new FakeImageRecordStore();
  logLines = [];
});

function handler(settings: Partial<BulkUploadSettings> = {}) {
  return createBulkUploadHandler({ images, faces, records, config: { ...SETTINGS, ...settings }, log: (line) => logLines.push(line) });
}

async function upload(files: File[], options: { collection?: string; tenantId?: string; settings?: Partial<BulkUploadSettings> } = {}) {
  const encoded = await encodeForm(uploadForm(options.collection ?? 'staff', files));
  const response = await handler(options.settings)(proxyEvent(encoded, { tenantId: options.tenantId ?? TENANT }), { awsRequestId: 'request-1' } as never);
  return { ...response, json: JSON.parse(response.body) as { message: string; data?: any[]; error?: { code: string } } };
}

/** Different contents of one photo: each is indexed on its own. */
const photoCopy = (copy: number | string, uploadedAs = `${copy}.jpeg`) => new File([distinctJpeg('bw_photo.jpeg', copy)], uploadedAs, { type: 'image/jpeg' });

const GOOD = () => [imageFile('single_face_frontal.jpg'), imageFile('group_6_faces.jpg'), imageFile('png_rgba.png', 'alex.png', 'image/png')];

describe('the bulk upload handler', () => {
  it('indexes every image and answers 201 with the published message, data in upload order', async () => {
    const response = await upload(GOOD());
    expect(response.statusCode).toBe(201);
    expect(response.json.message).toBe('Bulk indexing is now completed successfuly');
    expect(response.json.data!.map((entry) => entry.FaceRecords.length)).toEqual([1, 6, 1]);
    expect(response.json.data!.map((entry) => entry.FaceRecords[0].Face.ExternalImageId)).toEqual(['single_face_frontal.jpg', 'group_6_faces.jpg', 'alex.png']);
    expect(response.json.data![0]).toMatchObject({ FaceModelVersion: '7.0', UnindexedFaces: [] });
    expect(response.json.data![0].FaceRecords[0].FaceDetail).toHaveProperty('AgeRange');
  });

  it('stores each original under a tenant-scoped, content-addressed key before indexing it from S3', async () => {
    await upload([imageFile('single_face_frontal.jpg', 'IMG 0001 (1).jpg')]);
    const key = `tenants/${TENANT}/collections/staff/${sha256Hex(fixture('single_face_frontal.jpg'))}.jpg`;
    const stored = images.objects.get(key);
    expect(stored?.contentType).toBe('image/jpeg');
    expect(Buffer.from(stored!.bytes).equals(fixture('single_face_frontal.jpg'))).toBe(true);
    expect(decodeURIComponent(stored!.metadata['original-filename']!)).toBe('IMG 0001 (1).jpg');
    expect(stored!.metadata['declared-content-type']).toBe(encodeURIComponent('image/jpeg'));
    expect(faces.indexCalls.at(-1)).toMatchObject({
      collectionId: collectionIdFor('facegate-test', TENANT, 'staff'),
      image: { bucket: 'images-bucket', key },
      externalImageId: expect.stringMatching(/^IMG_0001_1__[0-9a-f]{16}\.jpg$/),
      maxFaces: 100,
      qualityFilter: 'AUTO',
    });
  });

  it('passes the configured MaxFaces and QualityFilter to IndexFaces', async () => {
    const response = await upload([imageFile('group_6_faces.jpg')], { settings: { maxFaces: 4, qualityFilter: 'HIGH' } });
    expect(faces.indexCalls.at(-1)).toMatchObject({ maxFaces: 4, qualityFilter: 'HIGH' });
    expect(response.json.data![0].FaceRecords).toHaveLength(4);
    expect(response.json.data![0].UnindexedFaces.map((face: { Reasons: string[] }) => face.Reasons)).toEqual([['EXCEEDS_MAX_FACES'], ['EXCEEDS_MAX_FACES']]);
  });

  it('answers a photo without a face as processed, with no face records', async () => {
    const response = await upload([imageFile('no_face_landscape.jpg')]);
    expect(response.statusCode).toBe(201);
    expect(response.json.data![0].FaceRecords).toEqual([]);
  });

  it('creates the collection on first use, once for all the images of the request', async () => {
    const response = await upload(GOOD());
    expect(response.statusCode).toBe(201);
    expect(faces.createCalls).toEqual([collectionIdFor('facegate-test', TENANT, 'staff')]);
    await upload(GOOD());
    expect(faces.createCalls).toHaveLength(1);
  });

  it('keeps tenants apart when they use the same collection name', async () => {
    await upload([imageFile('bw_photo.jpeg')], { tenantId: 'tenant-a' });
    await upload([imageFile('bw_photo.jpeg')], { tenantId: 'tenant-b' });
    const first = faces.indexCalls[0];
    const second = faces.indexCalls.at(-1);
    expect(first!.collectionId).not.toBe(second!.collectionId);
    expect(first!.image.key.startsWith('tenants/tenant-a/')).toBe(true);
    expect(second!.image.key.startsWith('tenants/tenant-b/')).toBe(true);
  });

  it('never runs more IndexFaces calls at once than the configured concurrency', async () => {
    const files = Array.from({ length: 12 }, (_, i) => photoCopy(i));
    const response = await upload(files, { settings: { indexConcurrency: 3 } });
    expect(response.statusCode).toBe(201);
    expect(faces.maxInFlight).toBe(3);
  });

  it('claims and stores the next images while the calls run, so a freed call slot has its image ready', async () => {
    let letCallsEnd = () => {};
    const callsMayEnd = new Promise<void>((resolve) => (letCallsEnd = resolve));
    let callsStarted = 0;
    const heldFaces: FaceIndex = {
      ensureCollection: (collectionId) => faces.ensureCollection(collectionId),
      async indexFaces(request) {
        callsStarted += 1;
        await callsMayEnd;
        return faces.indexFaces(request);
      },
    };
    faces.collections.add(collectionIdFor(SETTINGS.collectionPrefix, TENANT, 'staff'));
    const uploadHandler = createBulkUploadHandler({ images, faces: heldFaces, records, config: { ...SETTINGS, indexConcurrency: 2 }, log: () => undefined });
    const event = proxyEvent(await encodeForm(uploadForm('staff', Array.from({ length: 6 }, (_, i) => photoCopy(i)))), { tenantId: TENANT });
    const answering = uploadHandler(event, { awsRequestId: 'request-1' } as never);
    for (let tick = 0; tick < 50; tick += 1) await new Promise((resolve) => setImmediate(resolve));

    // Two calls in flight, two more images claimed and stored behind them, and no further.
    expect(callsStarted).toBe(2);
    expect(images.objects.size).toBe(4);
    expect(records.records.size).toBe(4);

    letCallsEnd();
    const response = await answering;
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body).message).toBe(SUCCESS_MESSAGE);
    expect(callsStarted).toBe(6);
  });

  describe('with good and bad images in one batch', () => {
    const mixed = () => [
      imageFile('single_face_frontal.jpg'),
      imageFile('webp_format.webp', 'einstein.webp', 'image/webp'),
      imageFile('invalid/truncated.jpg', 'truncated.jpg'),
      new File([], 'empty.jpg', { type: 'image/jpeg' }),
      imageFile('group_2_faces.jpg'),
    ];

    it('indexes the good ones and fails each bad one alone in its data entry', async () => {
      const response = await upload(mixed());
      expect(response.statusCode).toBe(201);
      expect(response.json.message).not.toBe(SUCCESS_MESSAGE);
      expect(response.json.message).toContain('3 of 5');
      const data = response.json.data!;
      expect(data[0].FaceRecords).toHaveLength(1);
      expect(data[1]).toEqual({ ExternalImageId: 'einstein.webp', Error: { Code: 'UNSUPPORTED_IMAGE_FORMAT', Message: expect.stringContaining('WebP') } });
      expect(data[2]).toMatchObject({ ExternalImageId: 'truncated.jpg', Error: { Code: 'CORRUPT_IMAGE' } });
      expect(data[3]).toMatchObject({ ExternalImageId: 'empty.jpg', Error: { Code: 'EMPTY_IMAGE' } });
      expect(data[4].FaceRecords).toHaveLength(1);
    });

    it('neither stores nor indexes the bad ones', async () => {
      await upload(mixed());
      expect(images.objects.size).toBe(2);
      expect(new Set(faces.indexCalls.map((call) => call.externalImageId))).toEqual(new Set(['single_face_frontal.jpg', 'group_2_faces.jpg']));
    });
  });

  it('fails an image over the size limit alone', async () => {
    const response = await upload([imageFile('group_2_faces.jpg'), imageFile('bw_photo.jpeg')], { settings: { maxImageBytes: 100_000 } });
    expect(response.statusCode).toBe(201);
    expect(response.json.data![0]).toMatchObject({ ExternalImageId: 'group_2_faces.jpg', Error: { Code: 'IMAGE_TOO_LARGE' } });
    expect(response.json.data![1].FaceRecords).toHaveLength(1);
  });

  it('answers 422 when every image fails through the client’s fault', async () => {
    const response = await upload([imageFile('webp_format.webp', 'a.webp'), new File([], 'b.jpg')]);
    expect(response.statusCode).toBe(422);
    expect(response.json.error).toEqual({ code: 'NO_IMAGE_INDEXED' });
    expect(response.json.data!.map((entry) => entry.Error.Code)).toEqual(['UNSUPPORTED_IMAGE_FORMAT', 'EMPTY_IMAGE']);
  });

  it('answers 503 with Retry-After while Rekognition throttles, then 201 once it lets calls through', async () => {
    faces.collections.add(collectionIdFor('facegate-test', TENANT, 'staff'));
    faces.failures.push(sdkError('ThrottlingException'), sdkError('ProvisionedThroughputExceededException'));
    const throttled = await upload([photoCopy('a'), photoCopy('b')]);
    expect(throttled.statusCode).toBe(503);
    expect(throttled.headers?.['Retry-After']).toMatch(/^\d+$/);
    expect(throttled.json.data!.map((entry) => entry.Error.Code)).toEqual(['THROTTLED', 'THROTTLED']);

    const retried = await upload([photoCopy('a'), photoCopy('b')]);
    expect(retried.statusCode).toBe(201);
    expect(retried.json.message).toBe(SUCCESS_MESSAGE);
  });

  it('answers 503 when Rekognition is down, without its raw message', async () => {
    faces.failures.push(sdkError('InternalServerError', 500), sdkError('InternalServerError', 500));
    const response = await upload([photoCopy('a'), photoCopy('b')]);
    expect(response.statusCode).toBe(503);
    expect(response.json.error).toEqual({ code: 'SERVICE_UNAVAILABLE' });
    expect(response.json.data!.map((entry) => entry.Error.Code)).toEqual(['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);
    expect(response.body).not.toContain('internal detail');
    expect(response.body).not.toContain('arn:aws');
  });

  it('answers 503 when a connection to the service fails', async () => {
    faces.failures.push(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4600'), { code: 'ECONNREFUSED' }));
    const response = await upload([imageFile('bw_photo.jpeg')]);
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toContain('ECONNREFUSED');
  });

  it('answers 503 when the image store is down', async () => {
    images.failures.push(sdkError('SlowDown', 503));
    const response = await upload([imageFile('bw_photo.jpeg')]);
    expect(response.statusCode).toBe(503);
    expect(response.json.data![0].Error.Code).toBe('STORAGE_UNAVAILABLE');
    expect(faces.indexCalls).toHaveLength(0);
  });

  it('answers 500 when only a server-side fault remains, without the SDK message', async () => {
    faces.failures.push(sdkError('AccessDeniedException'));
    const response = await upload([imageFile('bw_photo.jpeg')]);
    expect(response.statusCode).toBe(500);
    expect(response.json.data![0].Error.Code).toBe('INTERNAL_ERROR');
    expect(response.body).not.toContain('AccessDenied');
  });

  it('maps Rekognition’s image complaints to client errors', async () => {
    faces.collections.add(collectionIdFor('facegate-test', TENANT, 'staff'));
    faces.failures.push(sdkError('InvalidImageFormatException'), sdkError('ImageTooLargeException'), sdkError('InvalidParameterException'), sdkError('ServiceQuotaExceededException'));
    const files = ['a', 'b', 'c', 'd'].map((name) => photoCopy(name));
    const response = await upload(files, { settings: { indexConcurrency: 1 } });
    expect(response.statusCode).toBe(422);
    expect(response.json.data!.map((entry) => entry.Error.Code)).toEqual(['CORRUPT_IMAGE', 'IMAGE_TOO_LARGE', 'INVALID_IMAGE', 'COLLECTION_FULL']);
  });

  describe('refuses the whole request', () => {
    it('with 401 when no tenant was authorized', async () => {
      const encoded = await encodeForm(uploadForm('staff', [imageFile('bw_photo.jpeg')]));
      const response = await handler()(proxyEvent(encoded));
      expect(response.statusCode).toBe(401);
      expect(JSON.parse(response.body)).toEqual({ message: expect.any(String), error: { code: 'UNAUTHORIZED' } });
    });

    it('with 400 and the fix for a FileList appended as a whole', async () => {
      const form = new FormData();
      form.append('inputImages[]', '[object FileList]');
      form.append('collection', 'staff');
      const response = await handler()(proxyEvent(await encodeForm(form), { tenantId: TENANT }));
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error).toEqual({ code: 'IMAGES_SENT_AS_TEXT' });
    });

    it('with 413 when it carries more images than allowed', async () => {
      const response = await upload([imageFile('bw_photo.jpeg', 'a.jpeg'), imageFile('bw_photo.jpeg', 'b.jpeg')], { settings: { maxImagesPerRequest: 1 } });
      expect(response.statusCode).toBe(413);
      expect(response.json.error).toEqual({ code: 'TOO_MANY_IMAGES' });
      expect(images.objects.size).toBe(0);
    });

    it('with 415 when the body is not multipart', async () => {
      const event = proxyEvent({ contentType: 'application/json', bytes: Buffer.from('{}') }, { tenantId: TENANT });
      expect((await handler()(event)).statusCode).toBe(415);
    });

    it('with 500 and no detail when something unexpected breaks', async () => {
      const response = await upload([imageFile('bw_photo.jpeg')], { tenantId: 't'.repeat(300) });
      expect(response.statusCode).toBe(500);
      expect(response.json).toEqual({ message: expect.any(String), error: { code: 'INTERNAL_ERROR' } });
    });
  });

  describe('logs', () => {
    it('one JSON line per request with tenant, counts and duration', async () => {
      faces.collections.add(collectionIdFor('facegate-test', TENANT, 'staff'));
      faces.failures.push(undefined, sdkError('ThrottlingException'));
      await upload([imageFile('group_6_faces.jpg'), imageFile('bw_photo.jpeg'), new File([], 'empty.jpg')], { settings: { indexConcurrency: 1 } });
      expect(logLines).toHaveLength(1);
      expect(logLines[0]).toEqual({
        level: 'info',
        event: 'bulkUpload',
        requestId: 'request-1',
        tenantId: TENANT,
        collection: 'staff',
        status: 201,
        images: 3,
        processed: 1,
        replayed: 0,
        failed: 2,
        facesIndexed: 6,
        failuresByCode: { THROTTLED: 1, EMPTY_IMAGE: 1 },
        failureCauses: { ThrottlingException: 1 },
        durationMs: expect.any(Number),
      });
    });

    it('neither the token nor face attributes nor file names', async () => {
      await upload([imageFile('single_face_frontal.jpg', 'Jane Doe passport.jpg')]);
      await upload([imageFile('bw_photo.jpeg')], { tenantId: '' });
      const logged = JSON.stringify(logLines);
      expect(logLines).toHaveLength(2);
      for (const secret of [TOKEN, 'AgeRange', 'Gender', 'Emotions', 'Landmarks', 'Jane']) expect(logged).not.toContain(secret);
    });

    it('the request-level error code when the request is refused', async () => {
      await upload([], {});
      expect(logLines).toEqual([expect.objectContaining({ status: 400, errorCode: 'NO_IMAGES', tenantId: TENANT })]);
    });
  });
});
