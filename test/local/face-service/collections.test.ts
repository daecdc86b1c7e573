import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateCollectionCommand, DeleteCollectionCommand, DescribeCollectionCommand, IndexFacesCommand,
  InvalidPaginationTokenException, InvalidParameterException, ListCollectionsCommand, ListFacesCommand,
  ResourceAlreadyExistsException, ResourceNotFoundException,
} from '@aws-sdk/client-rekognition';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, fakeImage } from './fake-engine.js';
import { type Harness, startHarness, TEST_REGION } from './service-harness.js';

describe('face service collections', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(createFakeEngine());
  });
  afterEach(async () => {
    await harness.stop();
  });

  const create = (CollectionId: string) => harness.client.send(new CreateCollectionCommand({ CollectionId }));

  it('creates a collection and describes it as Rekognition does', async () => {
    const before = Date.now();
    const created = await create('staff');
    expect(created.StatusCode).toBe(200);
    expect(created.CollectionArn).toBe(`aws:rekognition:${TEST_REGION}:000000000000:collection/staff`);
    expect(created.FaceModelVersion).toBe('fake-engine-1');

    const described = await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }));
    expect(described.FaceCount).toBe(0);
    expect(described.FaceModelVersion).toBe('fake-engine-1');
    expect(described.CollectionARN).toBe(created.CollectionArn);
    expect(described.CreationTimestamp).toBeInstanceOf(Date);
    expect(described.CreationTimestamp!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(described.CreationTimestamp!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('refuses to create a collection twice', async () => {
    await create('staff');
    await expect(create('staff')).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it.each([
    ['a space', 'bad id'],
    ['a slash', 'a/b'],
    ['an empty id', ''],
    ['256 characters', 'x'.repeat(256)],
  ])('refuses a collection id with %s', async (_, id) => {
    const error = await create(id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toMatch(/CollectionId/);
  });

  it('keeps ids that only look like paths inside its data directory', async () => {
    await create('..');
    await create('.');
    const listed = await harness.client.send(new ListCollectionsCommand({}));
    expect(listed.CollectionIds).toEqual(['.', '..']);
    await harness.restart();
    expect((await harness.client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['.', '..']);
  });

  it('answers ResourceNotFoundException for a collection that does not exist', async () => {
    await expect(harness.client.send(new DescribeCollectionCommand({ CollectionId: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(harness.client.send(new DeleteCollectionCommand({ CollectionId: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(harness.client.send(new ListFacesCommand({ CollectionId: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('deletes a collection with its faces, so a new one of the same name starts empty', async () => {
    await create('staff');
    await harness.client.send(new IndexFacesCommand({ CollectionId: 'staff', Image: { Bytes: fakeImage({ faces: [{ person: 'ann' }] }) } }));
    expect((await harness.client.send(new DeleteCollectionCommand({ CollectionId: 'staff' }))).StatusCode).toBe(200);
    await expect(harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await create('staff');
    expect((await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }))).FaceCount).toBe(0);
    await harness.restart();
    expect((await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }))).FaceCount).toBe(0);
  });

  it('lists collections page by page with NextToken', async () => {
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5'];
    for (const id of ids) await create(id);
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await harness.client.send(new ListCollectionsCommand({ MaxResults: 2, NextToken }));
      expect(page.FaceModelVersions).toEqual(page.CollectionIds!.map(() => 'fake-engine-1'));
      seen.push(...page.CollectionIds!);
      NextToken = page.NextToken;
      pages += 1;
    } while (NextToken);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it('refuses a NextToken it did not issue', async () => {
    await create('c1');
    await expect(harness.client.send(new ListCollectionsCommand({ NextToken: 'not-a-token' }))).rejects.toBeInstanceOf(InvalidPaginationTokenException);
  });

  it('refuses a ListFaces NextToken from another collection', async () => {
    await create('a');
    await create('b');
    for (const person of ['p1', 'p2', 'p3']) {
      await harness.client.send(new IndexFacesCommand({ CollectionId: 'a', Image: { Bytes: fakeImage({ faces: [{ person }] }) } }));
    }
    const first = await harness.client.send(new ListFacesCommand({ CollectionId: 'a', MaxResults: 1 }));
    expect(first.NextToken).toBeDefined();
    await expect(harness.client.send(new ListFacesCommand({ CollectionId: 'b', NextToken: first.NextToken }))).rejects.toBeInstanceOf(InvalidPaginationTokenException);
  });

  it('keeps collections and faces across a restart', async () => {
    await create('staff');
    const indexed = await harness.client.send(new IndexFacesCommand({
      CollectionId: 'staff', ExternalImageId: 'group.jpg', Image: { Bytes: fakeImage({ faces: [{ person: 'ann' }, { person: 'bob', size: 150 }] }) },
    }));
    const before = await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }));
    await harness.restart();
    const after = await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }));
    expect(after.FaceCount).toBe(2);
    expect(after.CreationTimestamp).toEqual(before.CreationTimestamp);
    const listed = await harness.client.send(new ListFacesCommand({ CollectionId: 'staff' }));
    expect(listed.Faces!.map((face) => face.FaceId).sort()).toEqual(indexed.FaceRecords!.map((record) => record.Face!.FaceId).sort());
  });

  it('ignores what a kill left behind: temp files, a half-created and a half-deleted collection', async () => {
    await create('staff');
    await harness.client.send(new IndexFacesCommand({ CollectionId: 'staff', Image: { Bytes: fakeImage({ faces: [{ person: 'ann' }] }) } }));
    const collectionsRoot = path.join(harness.dataDir, 'collections');
    const [staffDirectory] = await readdir(collectionsRoot);
    const imagesDirectory = path.join(collectionsRoot, staffDirectory!, 'images');
    await writeFile(path.join(imagesDirectory, 'abc.json.1234.tmp'), '{"ImageId": "half-writ');
    await mkdir(path.join(collectionsRoot, 'half-created', 'images'), { recursive: true });
    await mkdir(path.join(collectionsRoot, '.deleting-1234', 'images'), { recursive: true });

    await harness.restart();

    expect((await harness.client.send(new ListCollectionsCommand({}))).CollectionIds).toEqual(['staff']);
    expect((await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }))).FaceCount).toBe(1);
    expect(await readdir(imagesDirectory)).toHaveLength(1);
    expect(await readdir(collectionsRoot)).toEqual([staffDirectory]);
  });
});
