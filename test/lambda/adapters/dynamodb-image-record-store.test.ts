import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbImageRecordStore, recordKeyOf } from '../../../lambda/adapters/dynamodb-image-record-store.js';
import { collectionIdFor, sha256Hex } from '../../../lambda/core/naming.js';
import { createBulkUploadHandler } from '../../../lambda/handlers/bulk-upload.js';
import type { ImageRecordKey, IndexFacesResult, PendingImageRecord } from '../../../lambda/ports.js';
import { crashingAdapters } from '../support/crashing-adapters.js';
import { FakeFaceIndex, FakeImageStore } from '../support/fakes.js';
import { testSettings } from '../support/settings.js';
import { createImageRecordsTable, startLocalDynamoDbWithClient } from '../support/local-aws.js';
import { encodeForm, fixture, proxyEvent, uploadForm } from '../support/upload-events.js';

// DynamoDB's item size limit.
const ITEM_LIMIT_BYTES = 400 * 1024;

let dynamoDb: Awaited<ReturnType<typeof startLocalDynamoDbWithClient>>;
let client: DynamoDBClient;
let tableNumber = 0;

async function freshTable(): Promise<{ store: DynamoDbImageRecordStore; tableName: string }> {
  tableNumber += 1;
  const tableName = `image-records-${tableNumber}`;
  await createImageRecordsTable(client, tableName);
  return { store: new DynamoDbImageRecordStore(tableName, client), tableName };
}

beforeAll(async () => {
  dynamoDb = await startLocalDynamoDbWithClient();
  client = dynamoDb.client;
});

afterAll(() => dynamoDb?.stop());

const KEY: ImageRecordKey = { tenantId: 'tenant-a', collection: 'staff', contentSha256: sha256Hex('photo') };

function pending(overrides: Partial<PendingImageRecord> = {}): PendingImageRecord {
  return { status: 'pending', externalImageId: 'kerwin.jpeg', imageKey: `tenants/tenant-a/collections/staff/${KEY.contentSha256}.jpg`, claimId: 'claim-1', claimExpiresAt: 1_000, ...overrides };
}

/** A number with all the digits Rekognition's floats carry: what makes the answer large and hard to compress. */
const ratio = () => Math.random();
const degrees = () => (Math.random() - 0.5) * 180;
const percent = () => Math.random() * 100;

function fullFaceDetail() {
  const flag = () => ({ Value: Math.random() > 0.5, Confidence: percent() });
  return {
    BoundingBox: { Width: ratio(), Height: ratio(), Left: ratio(), Top: ratio() },
    AgeRange: { Low: 20, High: 30 },
    Smile: flag(),
    Eyeglasses: flag(),
    Sunglasses: flag(),
    Gender: { Value: 'Female', Confidence: percent() },
    Beard: flag(),
    Mustache: flag(),
    EyesOpen: flag(),
    MouthOpen: flag(),
    Emotions: ['HAPPY', 'SAD', 'ANGRY', 'CONFUSED', 'DISGUSTED', 'SURPRISED', 'CALM', 'FEAR'].map((Type) => ({ Type, Confidence: percent() })),
    Landmarks: Array.from({ length: 30 }, (_, i) => ({ Type: `landmark${i}`, X: ratio(), Y: ratio() })),
    Pose: { Roll: degrees(), Yaw: degrees(), Pitch: degrees() },
    Quality: { Brightness: percent(), Sharpness: percent() },
    Confidence: percent(),
    FaceOccluded: flag(),
    EyeDirection: { Yaw: degrees(), Pitch: degrees(), Confidence: percent() },
  };
}

/** 100 indexed faces with every attribute, and as many more unindexed: the largest answer IndexFaces gives. */
function largestAnswer(): IndexFacesResult {
  const imageId = randomUUID();
  return {
    FaceRecords: Array.from({ length: 100 }, () => {
      const FaceDetail = fullFaceDetail();
      return {
        Face: { FaceId: randomUUID(), BoundingBox: FaceDetail.BoundingBox, ImageId: imageId, ExternalImageId: 'crowd.jpg', Confidence: percent(), IndexFacesModelVersion: '7.0' },
        FaceDetail,
      };
    }),
    FaceModelVersion: '7.0',
    UnindexedFaces: Array.from({ length: 100 }, () => ({ Reasons: ['EXCEEDS_MAX_FACES'], FaceDetail: fullFaceDetail() })),
  };
}

describe('DynamoDbImageRecordStore', () => {
  it('creates a record once and reads it back', async () => {
    const { store } = await freshTable();
    expect(await store.get(KEY)).toBeUndefined();
    expect(await store.create(KEY, pending())).toBe(true);
    expect(await store.create(KEY, pending({ claimId: 'claim-2', externalImageId: 'other.jpg' }))).toBe(false);
    expect(await store.get(KEY)).toEqual(pending());
  });

  it('keeps one record per tenant, collection and content', async () => {
    const { store } = await freshTable();
    const keys: ImageRecordKey[] = [
      KEY,
      { ...KEY, tenantId: 'tenant-b' },
      { ...KEY, collection: 'visitors' },
      { ...KEY, contentSha256: sha256Hex('another photo') },
      // A tenant id with the separator in it cannot reach another tenant's records.
      { ...KEY, tenantId: 'tenant-a/staff' },
    ];
    for (const [i, key] of keys.entries()) expect(await store.create(key, pending({ claimId: `claim-${i}` }))).toBe(true);
    expect(new Set(keys.map(recordKeyOf)).size).toBe(keys.length);
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toMatchObject({ claimId: `claim-${i}` });
  });

  it('moves a claim only from the holder the caller saw', async () => {
    const { store } = await freshTable();
    await store.create(KEY, pending());
    expect(await store.takeOver(KEY, 'claim-stale', { claimId: 'claim-2', claimExpiresAt: 5_000 })).toBe(false);
    expect(await store.takeOver(KEY, 'claim-1', { claimId: 'claim-2', claimExpiresAt: 5_000 })).toBe(true);
    expect(await store.takeOver(KEY, 'claim-1', { claimId: 'claim-3', claimExpiresAt: 9_000 })).toBe(false);
    expect(await store.get(KEY)).toEqual(pending({ claimId: 'claim-2', claimExpiresAt: 5_000 }));
    expect(await store.takeOver({ ...KEY, collection: 'none' }, 'claim-1', { claimId: 'claim-2', claimExpiresAt: 5_000 })).toBe(false);
  });

  it('releases a claim for its holder only', async () => {
    const { store } = await freshTable();
    await store.create(KEY, pending());
    await store.release(KEY, 'claim-other');
    expect(await store.get(KEY)).toMatchObject({ claimExpiresAt: 1_000 });
    await store.release(KEY, 'claim-1');
    expect(await store.get(KEY)).toMatchObject({ claimId: 'claim-1', claimExpiresAt: 0 });
  });

  it('completes a pending record once, and then no claim can touch it', async () => {
    const { store, tableName } = await freshTable();
    const answer: IndexFacesResult = { FaceRecords: [], FaceModelVersion: '7.0', UnindexedFaces: [], OrientationCorrection: 'ROTATE_0' };
    expect(await store.complete(KEY, answer)).toBe(false);
    await store.create(KEY, pending());
    expect(await store.complete(KEY, answer)).toBe(true);
    expect(await store.complete(KEY, { ...answer, FaceModelVersion: '8.0' })).toBe(false);
    expect(await store.takeOver(KEY, 'claim-1', { claimId: 'claim-2', claimExpiresAt: 5_000 })).toBe(false);
    await store.release(KEY, 'claim-1');
    expect(await store.get(KEY)).toEqual({ status: 'complete', externalImageId: 'kerwin.jpeg', imageKey: pending().imageKey, result: answer });

    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { recordKey: { S: recordKeyOf(KEY) } } }));
    expect(Object.keys(Item!).sort()).toEqual(
      ['answer', 'collection', 'completedAt', 'contentSha256', 'createdAt', 'externalImageId', 'faceCount', 'imageKey', 'recordKey', 'status', 'tenantId'],
    );
    expect(Item).toMatchObject({ recordKey: { S: 'tenant-a/staff/' + KEY.contentSha256 }, tenantId: { S: 'tenant-a' }, answer: { B: expect.any(Uint8Array) } });
  });

  it('keeps the largest IndexFaces answer, far beyond the item limit as JSON, and gives it back unchanged', async () => {
    const { store, tableName } = await freshTable();
    const answer = largestAnswer();
    const json = JSON.stringify(answer);
    expect(json.length).toBeGreaterThan(ITEM_LIMIT_BYTES);
    // As it comes, the answer does not fit an item.
    await expect(
      client.send(new PutItemCommand({ TableName: tableName, Item: { recordKey: { S: 'uncompressed' }, answer: { S: json } } })),
    ).rejects.toThrow(/size/i);

    await store.create(KEY, pending());
    expect(await store.complete(KEY, answer)).toBe(true);
    const record = await store.get(KEY);
    expect(record?.status === 'complete' && record.result).toEqual(answer);
  });
});

describe('the upload handler on DynamoDbImageRecordStore', () => {
  const settings = testSettings({ collectionPrefix: 'facegate-it' });
  const collectionId = collectionIdFor('facegate-it', 'tenant1', 'staff');
  const group = () => new File([fixture('group_6_faces.jpg')], `group-${randomUUID()}.jpg`, { type: 'image/jpeg' });

  async function setUp() {
    const { store } = await freshTable();
    const images = new FakeImageStore();
    const faces = new FakeFaceIndex(() => 6, images);
    let now = Date.UTC(2026, 0, 1);
    const upload = async (adapters: Partial<Parameters<typeof createBulkUploadHandler>[0]> = {}) => {
      const handler = createBulkUploadHandler({ images, faces, records: store, config: settings, now: () => now, log: () => undefined, ...adapters });
      const response = await handler(proxyEvent(await encodeForm(uploadForm('staff', [group()])), { tenantId: 'tenant1' }));
      return { status: response.statusCode, data: JSON.parse(response.body).data as Array<{ FaceRecords?: Array<{ Face: { FaceId: string } }>; Error?: { Code: string } }> };
    };
    return { store, images, faces, upload, advance: (ms: number) => (now += ms) };
  }

  it('indexes a photo once however many requests race for it, and answers repeats with its faces', async () => {
    const { faces, upload } = await setUp();
    const faceIdsOf = (response: Awaited<ReturnType<typeof upload>>) => response.data[0]!.FaceRecords!.map((record) => record.Face.FaceId).sort();
    const responses = await Promise.all(Array.from({ length: 6 }, () => upload()));
    // Each got the faces (indexed by one of them) or was told to retry because another was indexing them.
    const answered = responses.filter((response) => response.status === 201);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const refused of responses.filter((response) => response.status !== 201)) {
      expect(refused).toMatchObject({ status: 503, data: [{ Error: { Code: 'IMAGE_IN_PROGRESS' } }] });
    }
    expect(faces.facesOf(collectionId)).toHaveLength(6);
    const stored = faces.facesOf(collectionId).map((face) => face.faceId).sort();
    for (const response of [...answered, await upload()]) expect(faceIdsOf(response)).toEqual(stored);
  });

  it('completes, after the claim timeout, what a request that crashed after IndexFaces left pending', async () => {
    const { store, images, faces, upload, advance } = await setUp();
    const crashed = crashingAdapters({ images, faces, records: store }, 'after faces.indexFaces');
    await upload(crashed);
    expect(crashed.crashed()).toBe(true);
    advance(settings.claimTimeoutMs + 1);
    expect((await upload()).status).toBe(201);
    expect(faces.facesOf(collectionId)).toHaveLength(6);
  });
});
