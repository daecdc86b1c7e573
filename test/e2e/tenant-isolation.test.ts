// Two tenants on one stack: tenant B can neither index into, read, nor learn of tenant A's collections or
// originals, whatever it sends; checked through the API and in the stores themselves. And tokens are stored only
// as hashes: not in the tenants table, not anywhere in the data directory.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { startTemporaryStack, type TemporaryStack } from '../support/temporary-stack.js';
import { distinctJpeg } from './support/distinct-photo.js';
import { fixture } from './support/fixtures.js';
import { createOneFaceEngine } from './support/one-face-engine.js';
import { collectionIds, facesIn, storedKeys, tableItems } from './support/stack-stores.js';
import { createTenant } from './support/tenants.js';
import { uploadPhotos, type Photo } from './support/upload.js';

let dataDir: string;
let stack: LocalStack;
let running: TemporaryStack;
let tenantA: { token: string; tenantId: string };
let tenantB: { token: string; tenantId: string };
let photoOfA: Photo;
let answerToA: any;
let collectionOfA: string;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  running = await startTemporaryStack('isolation', { faceEngine: createOneFaceEngine() });
  ({ stack, dataDir } = running);
  tenantA = await createTenant(dataDir, 'tenant-a');
  tenantB = await createTenant(dataDir, 'tenant-b');
  photoOfA = { name: 'a-private.jpg', bytes: distinctJpeg(await fixture('single_face_frontal.jpg'), 'tenant-a') };
  const answer = await uploadPhotos(stack, 'family', [photoOfA], { token: tenantA.token });
  expect(answer.status).toBe(201);
  answerToA = answer.body;
  collectionOfA = (await collectionIds(stack)).find((id) => id.includes(tenantA.tenantId))!;
}, 60_000);

afterAll(async () => {
  await running?.stop();
});

/** Everything tenant A owns, as the stores hold it. */
async function whatAOwns() {
  return {
    faces: (await facesIn(stack, collectionOfA)).map((face) => face.FaceId).sort(),
    keys: (await storedKeys(stack)).filter((key) => key.startsWith(`tenants/${tenantA.tenantId}/`)),
  };
}

/**
 * What an answer to B must never contain: A's tenant id, collection id, face ids or file names. (ImageId is left
 * out: it is derived from the image bytes alone, so B gets the same one for the same bytes whether A exists or not.)
 */
function expectNothingOfA(text: string): void {
  expect(text).not.toContain(tenantA.tenantId);
  expect(text).not.toContain(collectionOfA);
  expect(text).not.toContain(photoOfA.name);
  for (const record of answerToA.data[0].FaceRecords) {
    expect(text).not.toContain(record.Face.FaceId);
  }
}

describe('tenant B, against tenant A', () => {
  it("indexes into its own collection when it names A's collection, and A's stays as it was", async () => {
    const before = await whatAOwns();
    const answer = await uploadPhotos(stack, 'family', [{ name: 'b-own.jpg', bytes: distinctJpeg(await fixture('match_person2.jpg'), 'tenant-b') }], { token: tenantB.token });
    expect(answer.status).toBe(201);
    expectNothingOfA(JSON.stringify(answer.body));
    expect(await whatAOwns()).toEqual(before);
  });

  it("gets faces of its own, not A's, when it sends the very photo A indexed into the same collection name", async () => {
    const answer = await uploadPhotos(stack, 'family', [{ name: 'b-copy.jpg', bytes: photoOfA.bytes }], { token: tenantB.token });
    expect(answer.status).toBe(201);
    expect(answer.body.data[0].FaceRecords[0].Face.ExternalImageId).toBe('b-copy.jpg');
    expectNothingOfA(JSON.stringify(answer.body));
  });

  it("cannot reach A's collection by sending its full id, or a path to it, as the collection name", async () => {
    const before = await whatAOwns();
    const fullId = await uploadPhotos(stack, collectionOfA, [{ name: 'b-forged.jpg', bytes: photoOfA.bytes }], { token: tenantB.token });
    expect(fullId.status).toBe(201);
    const traversal = await uploadPhotos(stack, `../${tenantA.tenantId}/family`, [{ name: 'b-forged.jpg', bytes: photoOfA.bytes }], { token: tenantB.token });
    expect(traversal.status).toBe(400);
    expect(traversal.body.error.code).toBe('INVALID_COLLECTION');
    expect(await whatAOwns()).toEqual(before);
  });

  it('finds nothing of A in the stores it writes to: collection ids, originals and image records are all its own', async () => {
    const prefix = stack.environment.COLLECTION_PREFIX;
    const ofB = (await collectionIds(stack)).filter((id) => !id.startsWith(`${prefix}-${tenantA.tenantId}-`));
    expect(ofB.length).toBeGreaterThanOrEqual(2);
    for (const id of ofB) {
      expect(id.startsWith(`${prefix}-${tenantB.tenantId}-`)).toBe(true);
      for (const face of await facesIn(stack, id)) expect(face.ExternalImageId).toMatch(/^b-/);
    }
    const keys = await storedKeys(stack);
    expect(keys.filter((key) => key.startsWith(`tenants/${tenantB.tenantId}/`)).length).toBeGreaterThanOrEqual(2);
    expect(keys.every((key) => key.startsWith(`tenants/${tenantA.tenantId}/`) || key.startsWith(`tenants/${tenantB.tenantId}/`))).toBe(true);
    const records = await tableItems(stack, stack.environment.IMAGE_RECORDS_TABLE!);
    for (const record of records) {
      const owner = record.tenantId === tenantA.tenantId ? tenantA : tenantB;
      expect(record.recordKey).toMatch(new RegExp(`^${owner.tenantId}/`));
      expect(record.imageKey).toMatch(new RegExp(`^tenants/${owner.tenantId}/`));
    }
    expect(records.filter((record) => record.tenantId === tenantA.tenantId)).toHaveLength(1);
  });

  it('cannot use A\'s token hash, nor reach any other path', async () => {
    const withHash = await uploadPhotos(stack, 'family', [photoOfA], { token: sha256(tenantA.token) });
    expect(withHash.status).toBe(401);
    for (const path of ['/ia/faces', '/ia/faces/list', `/ia/faces/${collectionOfA}`, '/tenants']) {
      const response = await fetch(`${stack.url}${path}`, { headers: { Authorization: tenantB.token }, signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(404);
      expectNothingOfA(await response.text());
    }
  });
});

describe('token storage', () => {
  it('keeps only the SHA-256 of each token in the tenants table', async () => {
    const items = await tableItems(stack, stack.environment.TENANTS_TABLE!);
    for (const tenant of [tenantA, tenantB]) {
      const item = items.find((candidate) => candidate.tenantId === tenant.tenantId)!;
      expect(Object.keys(item).sort()).toEqual(['createdAt', 'name', 'status', 'tenantId', 'tokenHash']);
      expect(item.tokenHash).toBe(sha256(tenant.token));
    }
    const stored = JSON.stringify(items);
    for (const token of [tenantA.token, tenantB.token, stack.token]) expect(stored).not.toContain(token);
  });

  it('writes no tenant token anywhere in the data directory (the hashes are there)', async () => {
    const files: string[] = [];
    for (const entry of await readdir(dataDir, { recursive: true, withFileTypes: true })) {
      // The dev tenant's generated token is kept in DATA_DIR/dev-token by design, so `npm start` can print it again.
      if (entry.isFile() && entry.name !== 'dev-token') files.push(join(entry.parentPath, entry.name));
    }
    const contents = Buffer.concat(await Promise.all(files.map((file) => readFile(file))));
    for (const tenant of [tenantA, tenantB]) {
      expect(contents.includes(sha256(tenant.token))).toBe(true);
      expect(contents.includes(tenant.token)).toBe(false);
    }
  });
});
