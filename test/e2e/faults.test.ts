// The API under injected faults (local/faults): throttled and failing IndexFaces calls, S3 refusing one original,
// Rekognition unreachable. Every image must end indexed or reported, and nothing may be left half-done.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { startTemporaryStack, type TemporaryStack } from '../support/temporary-stack.js';
import { distinctJpeg } from './support/distinct-photo.js';
import { fixture } from './support/fixtures.js';
import { createOneFaceEngine } from './support/one-face-engine.js';
import { collectionNamed, facesIn, storedKeys } from './support/stack-stores.js';
import { indexedNames, uploadPhotos, type Photo } from './support/upload.js';

const SUCCESS_MESSAGE = 'Bulk indexing is now completed successfuly';

let stack: LocalStack;
let running: TemporaryStack;
let source: Buffer;

beforeAll(async () => {
  running = await startTemporaryStack('faults', { faceEngine: createOneFaceEngine() });
  ({ stack } = running);
  source = await fixture('single_face_frontal.jpg');
}, 60_000);

afterAll(async () => {
  await running?.stop();
});

afterEach(() => {
  stack.faults.plan = {};
});

/** `count` different photos (different bytes), named `<prefix>-<n>.jpg`. */
function photos(prefix: string, count: number): Photo[] {
  return Array.from({ length: count }, (_, index) => ({ name: `${prefix}-${index}.jpg`, bytes: distinctJpeg(source, `${prefix}-${index}`) }));
}

async function facesNamed(collection: string): Promise<string[]> {
  const [collectionId] = await collectionNamed(stack, collection);
  return collectionId ? (await facesIn(stack, collectionId)).map((face) => face.ExternalImageId!).sort() : [];
}

describe('with 30% of IndexFaces calls throttled', () => {
  it("still indexes every image, through the SDK's retries", async () => {
    stack.faults.plan = { seed: 11, rekognition: { throttle: 0.3 } };
    const sent = photos('throttled', 20);
    // Batches of 5: the SDK's adaptive mode slows the client down after throttling, as on AWS, and small batches
    // keep each request far from its time budget, which is not what this test is about.
    const answers = [];
    for (let start = 0; start < sent.length; start += 5) answers.push(await uploadPhotos(stack, 'throttled', sent.slice(start, start + 5)));

    for (const answer of answers) {
      expect(answer.status).toBe(201);
      expect(answer.body.message).toBe(SUCCESS_MESSAGE);
    }
    const data = answers.flatMap((answer) => answer.body.data);
    expect(data.map(indexedNames)).toEqual(sent.map((photo) => [photo.name]));
    expect(stack.faults.injected.throttled).toBeGreaterThanOrEqual(3);
    expect(await facesNamed('throttled')).toEqual(sent.map((photo) => photo.name).sort());
  });
});

describe('with 20% of IndexFaces calls failing and 150 ms of added latency', () => {
  it('still indexes every image', async () => {
    stack.faults.plan = { seed: 5, rekognition: { fail: 0.2, latencyMs: 150 } };
    const sent = photos('failing', 10);
    const answer = await uploadPhotos(stack, 'failing', sent);

    expect(answer.status).toBe(201);
    expect(answer.body.data.map(indexedNames)).toEqual(sent.map((photo) => [photo.name]));
    expect(stack.faults.injected.failed).toBeGreaterThanOrEqual(1);
    expect(stack.faults.injected.delayed).toBeGreaterThanOrEqual(10);
    expect(await facesNamed('failing')).toEqual(sent.map((photo) => photo.name).sort());
  });
});

describe('with S3 failing to store one image', () => {
  it('fails only that image, leaves no face of it, and indexes it on a retry once S3 recovers', async () => {
    stack.faults.plan = { s3: { failWrites: { fileName: 'unstorable.jpg' } } };
    const [first, second, third] = photos('storage', 3);
    const unstorable = { ...second!, name: 'unstorable.jpg' };
    const keysBefore = await storedKeys(stack);
    const answer = await uploadPhotos(stack, 'storage', [first!, unstorable, third!]);

    expect(answer.status).toBe(201);
    expect(answer.body.message).toMatch(/1 of 3 images failed/);
    expect(indexedNames(answer.body.data[0])).toEqual([first!.name]);
    expect(answer.body.data[1]).toEqual({ ExternalImageId: 'unstorable.jpg', Error: { Code: 'STORAGE_UNAVAILABLE', Message: expect.stringMatching(/retry/i) } });
    expect(indexedNames(answer.body.data[2])).toEqual([third!.name]);
    expect(stack.faults.injected.s3WritesFailed).toBeGreaterThanOrEqual(1);
    expect(await facesNamed('storage')).toEqual([first!.name, third!.name].sort());
    expect((await storedKeys(stack)).length - keysBefore.length).toBe(2);

    stack.faults.plan = {};
    const retry = await uploadPhotos(stack, 'storage', [unstorable]);
    expect(retry.status).toBe(201);
    expect(indexedNames(retry.body.data[0])).toEqual(['unstorable.jpg']);
    expect(await facesNamed('storage')).toEqual([first!.name, third!.name, 'unstorable.jpg'].sort());
  });
});

describe('with Rekognition unreachable', () => {
  it('answers 503 with Retry-After, indexes nothing, and completes the same request once it is back', async () => {
    stack.faults.plan = { rekognition: { unreachable: true } };
    const sent = photos('unreachable', 3);
    const answer = await uploadPhotos(stack, 'unreachable', sent);

    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(answer.body.data).toEqual(
      sent.map((photo) => ({ ExternalImageId: photo.name, Error: { Code: 'SERVICE_UNAVAILABLE', Message: expect.stringMatching(/retry/i) } })),
    );
    expect(stack.faults.injected.refused).toBeGreaterThan(0);

    stack.faults.plan = {};
    expect(await facesNamed('unreachable')).toEqual([]);
    const retry = await uploadPhotos(stack, 'unreachable', sent);
    expect(retry.status).toBe(201);
    expect(retry.body.message).toBe(SUCCESS_MESSAGE);
    expect(retry.body.data.map(indexedNames)).toEqual(sent.map((photo) => [photo.name]));
    expect(await facesNamed('unreachable')).toEqual(sent.map((photo) => photo.name).sort());
  });
});
