// The quality bar: the service with the real on-device engine, driven through @aws-sdk/client-rekognition, on the
// labelled photos in test/fixtures/faces. The model loads once for the whole file.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CompareFacesCommand, CreateCollectionCommand, DetectFacesCommand, IndexFacesCommand, InvalidImageFormatException,
  SearchFacesByImageCommand,
} from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHumanEngine } from '../../../local/face-service/engine/human-engine.js';
import type { FaceEngine } from '../../../local/face-service/engine/types.js';
import { type LocalS3, startLocalS3 } from './s3-images.js';
import { type Harness, startHarness } from './service-harness.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/faces');
const labels = JSON.parse(readFileSync(path.join(FIXTURES, 'labels.json'), 'utf8')) as Record<
  string,
  { face_count: number | null; format: string }
>;
const countedPhotos = Object.entries(labels)
  .filter(([, label]) => typeof label.face_count === 'number' && (label.format === 'JPEG' || label.format === 'PNG'))
  .map(([file, label]) => [file, label.face_count as number] as const);
const unreadableFiles = Object.entries(labels)
  .filter(([, label]) => label.face_count === null || label.format === 'WEBP')
  .map(([file]) => file);

const fixture = (file: string) => readFile(path.join(FIXTURES, file));

describe('face service with the on-device engine on real photos', () => {
  let engine: FaceEngine;
  let harness: Harness;
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3(['fixtures']);
    engine = await createHumanEngine();
    harness = await startHarness(engine);
    for (const CollectionId of ['photos', 'people']) await harness.client.send(new CreateCollectionCommand({ CollectionId }));
  });
  afterAll(async () => {
    await harness?.stop();
    await engine?.close();
    await s3?.stop();
  });

  it('has labelled photos to check, including the group, the blurry and the small face', () => {
    expect(countedPhotos.map(([file]) => file)).toEqual(expect.arrayContaining(['group_6_faces.jpg', 'blurry_face.jpg', 'small_face.jpg', 'no_face_dogs.jpg']));
    expect(unreadableFiles).toEqual(expect.arrayContaining(['webp_format.webp', 'invalid/corrupted.png', 'invalid/truncated.jpg', 'invalid/empty.png']));
  });

  it.each(countedPhotos)('indexes exactly the labelled faces of %s under the AUTO quality filter (%i)', async (file, faceCount) => {
    const result = await harness.client.send(new IndexFacesCommand({
      CollectionId: 'photos', ExternalImageId: file.replace(/[^a-zA-Z0-9_.\-:]/g, '_'), Image: { Bytes: await fixture(file) }, QualityFilter: 'AUTO',
    }));
    expect(result.FaceRecords).toHaveLength(faceCount);
    expect(result.UnindexedFaces).toEqual([]);
    expect(result.FaceModelVersion).toBe(engine.modelVersion);
    for (const record of result.FaceRecords!) {
      expect(record.FaceDetail!.Landmarks).toHaveLength(30);
      expect(record.Face!.Confidence).toBeGreaterThan(50);
    }
  });

  it.each(unreadableFiles)('answers InvalidImageFormatException for %s', async (file) => {
    await expect(harness.client.send(new DetectFacesCommand({ Image: { Bytes: await fixture(file) } }))).rejects.toBeInstanceOf(InvalidImageFormatException);
  });

  it('finds the same person in another photo above the default threshold, and not a different person', async () => {
    await harness.client.send(new IndexFacesCommand({ CollectionId: 'people', ExternalImageId: 'person1', Image: { Bytes: await fixture('match_person1_a.jpg') } }));
    const same = await harness.client.send(new SearchFacesByImageCommand({ CollectionId: 'people', Image: { Bytes: await fixture('match_person1_b.jpg') } }));
    expect(same.FaceMatches).toHaveLength(1);
    expect(same.FaceMatches![0]!.Similarity).toBeGreaterThan(80);
    expect(same.FaceMatches![0]!.Face!.ExternalImageId).toBe('person1');
    const other = await harness.client.send(new SearchFacesByImageCommand({
      CollectionId: 'people', Image: { Bytes: await fixture('match_person2.jpg') }, FaceMatchThreshold: 0,
    }));
    expect(other.FaceMatches).toHaveLength(1);
    expect(other.FaceMatches![0]!.Similarity).toBeLessThan(80);
  });

  it('compares two photos of the same person as a match and a different person as unmatched', async () => {
    const [a, b, other] = await Promise.all(['match_person1_a.jpg', 'match_person1_b.jpg', 'match_person2.jpg'].map(fixture));
    const same = await harness.client.send(new CompareFacesCommand({ SourceImage: { Bytes: a }, TargetImage: { Bytes: b } }));
    expect(same.FaceMatches).toHaveLength(1);
    expect(same.FaceMatches![0]!.Similarity).toBeGreaterThan(80);
    const different = await harness.client.send(new CompareFacesCommand({ SourceImage: { Bytes: a }, TargetImage: { Bytes: other } }));
    expect(different.FaceMatches).toEqual([]);
    expect(different.UnmatchedFaces).toHaveLength(1);
  });

  it('indexes a photo read from S3 like the same photo sent as bytes', async () => {
    const bytes = await fixture('group_2_faces.jpg');
    await s3.put('fixtures', 'faces/group_2_faces.jpg', bytes);
    const result = await harness.client.send(new IndexFacesCommand({
      CollectionId: 'people', ExternalImageId: 'from-s3', Image: { S3Object: { Bucket: 'fixtures', Name: 'faces/group_2_faces.jpg' } },
    }));
    expect(result.FaceRecords).toHaveLength(2);
  });
});
