// The whole API on one machine, driven as a client drives it: plain HTTP (fetch + FormData, and raw multipart
// bodies) against `startLocalStack`, with the real handlers, the real face model and real photos.
import { ListCollectionsCommand, ListFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHumanEngine } from '../../local/face-service/engine/human-engine.js';
import type { FaceEngine } from '../../local/face-service/engine/types.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { runTenantCommand } from '../../scripts/tenant.js';
import { fixture, photoBlob } from './support/fixtures.js';
import { rawMultipart } from './support/multipart.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SUCCESS_MESSAGE = 'Bulk indexing is now completed successfuly';

let engine: FaceEngine;
let dataDir: string;
let stack: LocalStack;

// The face model loads once for the whole file; restarts reuse it.
beforeAll(async () => {
  engine = await createHumanEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'facegate-e2e-'));
  stack = await startLocalStack({ port: 0, host: '127.0.0.1', dataDir, faceEngine: engine });
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await engine?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// Answers are checked field by field against the published shape, so they are read untyped.
const json = (response: Response): Promise<any> => response.json();

function upload(body: RequestInit['body'], token = stack.token, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${stack.url}/ia/faces/bulkUpload`, { method: 'POST', headers: { Authorization: token, ...headers }, body });
}

/** A form as the published example builds it: each photo under inputImages[], then the collection. */
async function photoForm(collection: string, photos: Array<[fixtureName: string, fileName: string, type?: string]>): Promise<FormData> {
  const form = new FormData();
  for (const [fixtureName, fileName, type] of photos) form.append('inputImages[]', await photoBlob(fixtureName, type), fileName);
  form.append('collection', collection);
  return form;
}

async function createTenant(name: string): Promise<string> {
  const out: string[] = [];
  const code = await runTenantCommand(['create', name], { env: { DATA_DIR: dataDir }, out: (line) => out.push(line), err: () => undefined });
  expect(code).toBe(0);
  return /Token, shown only this once: (\S+)/.exec(out.join('\n'))![1]!;
}

function clients() {
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = stack.environment;
  const settings = { region: AWS_REGION!, credentials: { accessKeyId: AWS_ACCESS_KEY_ID!, secretAccessKey: AWS_SECRET_ACCESS_KEY! } };
  return {
    rekognition: new RekognitionClient({ ...settings, endpoint: stack.endpoints.rekognition }),
    s3: new S3Client({ ...settings, endpoint: stack.endpoints.s3, forcePathStyle: true }),
  };
}

async function facesIn(collectionId: string): Promise<Array<{ FaceId?: string; ExternalImageId?: string }>> {
  const { rekognition } = clients();
  try {
    return (await rekognition.send(new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096 }))).Faces ?? [];
  } finally {
    rekognition.destroy();
  }
}

async function collectionIds(): Promise<string[]> {
  const { rekognition } = clients();
  try {
    return (await rekognition.send(new ListCollectionsCommand({}))).CollectionIds ?? [];
  } finally {
    rekognition.destroy();
  }
}

async function storedKeys(): Promise<string[]> {
  const { s3 } = clients();
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.environment.IMAGES_BUCKET }));
    return (listed.Contents ?? []).map((object) => object.Key!).sort();
  } finally {
    s3.destroy();
  }
}

describe('the published sample request', () => {
  it("answers 201 with the document's message and one IndexFaces result per photo, in upload order", async () => {
    const form = await photoForm('test-collection', [
      ['single_face_frontal.jpg', 'drivers-license-requirements-2.jpg'],
      ['match_person1_a.jpg', 'kerwin.jpeg'],
    ]);
    const response = await upload(form, stack.token, { Accept: 'application/json, text/plain, */*' });
    expect(response.status).toBe(201);
    const body = await json(response);
    expect(body.message).toBe(SUCCESS_MESSAGE);
    expect(body.data).toHaveLength(2);
    for (const [index, name] of ['drivers-license-requirements-2.jpg', 'kerwin.jpeg'].entries()) {
      const result = body.data[index];
      expect(result.FaceRecords).toHaveLength(1);
      expect(typeof result.FaceModelVersion).toBe('string');
      expect(result.UnindexedFaces).toEqual([]);
      const { Face, FaceDetail } = result.FaceRecords[0];
      expect(Face.ExternalImageId).toBe(name);
      expect(Face.FaceId).toMatch(UUID);
      expect(Face.ImageId).toMatch(UUID);
      expect(Face.Confidence).toBeGreaterThan(90);
      for (const box of [Face.BoundingBox, FaceDetail.BoundingBox]) {
        expect(Object.keys(box).sort()).toEqual(['Height', 'Left', 'Top', 'Width']);
        expect(box.Width).toBeGreaterThan(0);
        expect(box.Width).toBeLessThanOrEqual(1);
      }
      expect(FaceDetail.Landmarks).toHaveLength(30);
      expect(FaceDetail.Landmarks[0]).toEqual({ Type: expect.any(String), X: expect.any(Number), Y: expect.any(Number) });
      expect(FaceDetail.Pose).toEqual({ Roll: expect.any(Number), Yaw: expect.any(Number), Pitch: expect.any(Number) });
      expect(FaceDetail.Quality).toEqual({ Brightness: expect.any(Number), Sharpness: expect.any(Number) });
      expect(FaceDetail.Confidence).toBeGreaterThan(90);
    }
  });

  it('accepts a raw multipart body with the field named inputImages, as curl -F sends it', async () => {
    const { body, boundary } = rawMultipart([
      { name: 'collection', value: 'raw-collection' },
      { name: 'inputImages', fileName: 'group.jpg', contentType: 'image/jpeg', bytes: await fixture('group_2_faces.jpg') },
    ]);
    const response = await upload(body, `Bearer ${stack.token}`, { 'Content-Type': `multipart/form-data; boundary=${boundary}` });
    expect(response.status).toBe(201);
    const { data } = await json(response);
    expect(data[0].FaceRecords).toHaveLength(2);
    expect(data[0].FaceRecords.map((record: { Face: { ExternalImageId: string } }) => record.Face.ExternalImageId)).toEqual(['group.jpg', 'group.jpg']);
  });
});

describe('a batch mixing good photos, a WebP and a corrupt file', () => {
  it('answers image by image: the photos indexed, the others failed with their reason, nothing else lost', async () => {
    const form = await photoForm('mixed-batch', [
      ['match_person2.jpg', 'good-1.jpg'],
      ['webp_format.webp', 'portrait.webp', 'image/webp'],
      ['invalid/corrupted.png', 'broken.png', 'image/png'],
      ['group_2_faces.jpg', 'good-2.jpg'],
    ]);
    const response = await upload(form);
    expect(response.status).toBe(201);
    const body = await json(response);
    expect(body.message).not.toBe(SUCCESS_MESSAGE);
    expect(body.data).toHaveLength(4);
    expect(body.data[0].FaceRecords).toHaveLength(1);
    expect(body.data[1]).toEqual({ ExternalImageId: 'portrait.webp', Error: { Code: 'UNSUPPORTED_IMAGE_FORMAT', Message: expect.any(String) } });
    expect(body.data[2]).toEqual({ ExternalImageId: 'broken.png', Error: { Code: 'CORRUPT_IMAGE', Message: expect.any(String) } });
    expect(body.data[3].FaceRecords).toHaveLength(2);
    const collection = (await collectionIds()).find((id) => id.endsWith('-mixed-batch'))!;
    const indexed = (await facesIn(collection)).map((face) => face.ExternalImageId).sort();
    expect(indexed).toEqual(['good-1.jpg', 'good-2.jpg', 'good-2.jpg']);
  });
});

describe('two tenants sending the same collection name', () => {
  it('get separate collections and stored images: neither sees the other', async () => {
    const otherToken = await createTenant('other-tenant');
    expect((await upload(await photoForm('shared-name', [['match_person1_a.jpg', 'mine.jpg']]))).status).toBe(201);
    expect((await upload(await photoForm('shared-name', [['match_person1_a.jpg', 'theirs.jpg']]), otherToken)).status).toBe(201);

    const shared = (await collectionIds()).filter((id) => id.endsWith('-shared-name'));
    expect(shared).toHaveLength(2);
    const contents = await Promise.all(shared.map(async (id) => (await facesIn(id)).map((face) => face.ExternalImageId)));
    expect(contents.sort()).toEqual([['mine.jpg'], ['theirs.jpg']]);
    const keys = (await storedKeys()).filter((key) => key.includes('/collections/shared-name/'));
    expect(keys).toHaveLength(2);
    expect(new Set(keys.map((key) => key.split('/collections/')[0])).size).toBe(2);
  });
});

describe("the published examples' client mistakes", () => {
  it('recovers the boundary when Content-Type: multipart/form-data is set by hand without one', async () => {
    const form = await photoForm('hand-set-content-type', [['single_face_frontal.jpg', 'no-boundary.jpg']]);
    const response = await upload(form, stack.token, { 'Content-Type': 'multipart/form-data' });
    expect(response.status).toBe(201);
    expect((await json(response)).data[0].FaceRecords[0].Face.ExternalImageId).toBe('no-boundary.jpg');
  });

  it('answers 400 telling the client to append each file on its own when a FileList was appended', async () => {
    const fileList = { [Symbol.toStringTag]: 'FileList' };
    const form = new FormData();
    form.append('inputImages[]', fileList as unknown as string);
    form.append('collection', 'test-collection');
    const response = await upload(form, stack.token, { 'Content-Type': 'multipart/form-data' });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.error.code).toBe('IMAGES_SENT_AS_TEXT');
    expect(body.message).toMatch(/each file/i);
  });

  it('answers 413 to an 11 MB body, as API Gateway does', async () => {
    const { body, boundary } = rawMultipart([
      { name: 'collection', value: 'test-collection' },
      { name: 'inputImages[]', fileName: 'huge.jpg', contentType: 'image/jpeg', bytes: new Uint8Array(11 * 1024 * 1024) },
    ]);
    const response = await upload(body, stack.token, { 'Content-Type': `multipart/form-data; boundary=${boundary}` });
    expect(response.status).toBe(413);
    expect(await json(response)).toEqual({ message: 'Request Too Long' });
  });
});

describe('a restart', () => {
  it('keeps the tenants, the stored originals and the indexed faces', async () => {
    const otherToken = await createTenant('restart-tenant');
    const beforeRestart = (): Promise<FormData> => photoForm('survives', [['match_person2.jpg', 'before-restart.jpg']]);
    expect((await upload(await beforeRestart(), otherToken)).status).toBe(201);
    const collection = (await collectionIds()).find((id) => id.endsWith('-survives'))!;
    const facesBefore = await facesIn(collection);
    const keysBefore = await storedKeys();
    const devToken = stack.token;

    await stack.close();
    stack = await startLocalStack({ port: 0, host: '127.0.0.1', dataDir, faceEngine: engine });

    expect(stack.token).toBe(devToken);
    expect(await facesIn(collection)).toEqual(facesBefore);
    expect(await storedKeys()).toEqual(keysBefore);
    const { s3 } = clients();
    const original = await s3.send(new GetObjectCommand({ Bucket: stack.environment.IMAGES_BUCKET, Key: keysBefore.find((key) => key.includes('/survives/'))! }));
    expect(Buffer.from(await original.Body!.transformToByteArray()).equals(await fixture('match_person2.jpg'))).toBe(true);
    s3.destroy();

    const response = await upload(await beforeRestart(), otherToken);
    expect(response.status).toBe(201);
    // Same image, same name, same collection: Rekognition returns the faces it already has instead of duplicating them.
    expect((await json(response)).data[0].FaceRecords[0].Face.FaceId).toBe(facesBefore[0]!.FaceId);
  });
});
