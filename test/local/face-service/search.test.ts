import {
  CompareFacesCommand, CreateCollectionCommand, IndexFacesCommand, InvalidParameterException, ResourceNotFoundException,
  SearchFacesByImageCommand, SearchFacesCommand,
} from '@aws-sdk/client-rekognition';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, type FakeFace, fakeImage } from './fake-engine.js';
import { type Harness, startHarness } from './service-harness.js';

describe('face service search and comparison', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(createFakeEngine());
    await harness.client.send(new CreateCollectionCommand({ CollectionId: 'staff' }));
  });
  afterEach(async () => {
    await harness.stop();
  });

  async function indexPerson(person: string, variant: string, ExternalImageId = `${person}-${variant}`): Promise<string> {
    const result = await harness.client.send(new IndexFacesCommand({
      CollectionId: 'staff', ExternalImageId, Image: { Bytes: fakeImage({ faces: [{ person }], variant }) },
    }));
    return result.FaceRecords![0]!.Face!.FaceId!;
  }
  const probe = (faces: FakeFace[]) => fakeImage({ faces, variant: 'probe' });

  it('finds the other faces of the same person by FaceId, never the face itself', async () => {
    const ann1 = await indexPerson('ann', '1');
    const ann2 = await indexPerson('ann', '2');
    await indexPerson('bob', '1');
    const result = await harness.client.send(new SearchFacesCommand({ CollectionId: 'staff', FaceId: ann1 }));
    expect(result.SearchedFaceId).toBe(ann1);
    expect(result.FaceModelVersion).toBe('fake-engine-1');
    expect(result.FaceMatches!.map((match) => match.Face!.FaceId)).toEqual([ann2]);
    expect(result.FaceMatches![0]!.Similarity).toBeGreaterThan(99);
    expect(result.FaceMatches![0]!.Face!.ExternalImageId).toBe('ann-2');
  });

  it('searches by image with the largest face of the probe', async () => {
    const bob = await indexPerson('bob', '1');
    await indexPerson('ann', '1');
    const result = await harness.client.send(new SearchFacesByImageCommand({
      CollectionId: 'staff', Image: { Bytes: probe([{ person: 'ann', size: 100 }, { person: 'bob', size: 300 }]) },
    }));
    expect(result.SearchedFaceBoundingBox!.Width).toBe(0.3);
    expect(result.SearchedFaceConfidence).toBe(99.9);
    expect(result.FaceMatches!.map((match) => match.Face!.FaceId)).toEqual([bob]);
  });

  it('sorts matches by similarity, applies FaceMatchThreshold and MaxFaces', async () => {
    for (const variant of ['1', '2', '3']) await indexPerson('ann', variant);
    await indexPerson('bob', '1');
    const everyone = await harness.client.send(new SearchFacesByImageCommand({
      CollectionId: 'staff', Image: { Bytes: probe([{ person: 'ann' }]) }, FaceMatchThreshold: 0,
    }));
    const similarities = everyone.FaceMatches!.map((match) => match.Similarity!);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
    expect(everyone.FaceMatches!.length).toBeGreaterThanOrEqual(3);
    const limited = await harness.client.send(new SearchFacesByImageCommand({
      CollectionId: 'staff', Image: { Bytes: probe([{ person: 'ann' }]) }, MaxFaces: 2,
    }));
    expect(limited.FaceMatches).toHaveLength(2);
  });

  it('answers InvalidParameterException for a probe without a face', async () => {
    const error = await harness.client.send(new SearchFacesByImageCommand({ CollectionId: 'staff', Image: { Bytes: probe([]) } })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toMatch(/no faces/);
  });

  it('answers InvalidParameterException for a FaceId the collection does not hold', async () => {
    await expect(harness.client.send(new SearchFacesCommand({ CollectionId: 'staff', FaceId: '00000000-0000-4000-8000-000000000000' })))
      .rejects.toBeInstanceOf(InvalidParameterException);
  });

  it.each([
    ['FaceMatchThreshold above 100', { FaceMatchThreshold: 101 }],
    ['FaceMatchThreshold below 0', { FaceMatchThreshold: -1 }],
    ['MaxFaces 0', { MaxFaces: 0 }],
    ['MaxFaces above 4096', { MaxFaces: 4097 }],
  ])('refuses %s', async (_, input) => {
    await expect(harness.client.send(new SearchFacesByImageCommand({ CollectionId: 'staff', Image: { Bytes: probe([{ person: 'a' }]) }, ...input })))
      .rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('answers ResourceNotFoundException when searching a collection that does not exist', async () => {
    await expect(harness.client.send(new SearchFacesByImageCommand({ CollectionId: 'missing', Image: { Bytes: probe([{ person: 'a' }]) } })))
      .rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('compares the largest source face with every target face', async () => {
    const result = await harness.client.send(new CompareFacesCommand({
      SourceImage: { Bytes: fakeImage({ faces: [{ person: 'ann', size: 300 }, { person: 'bob', size: 100 }] }) },
      TargetImage: { Bytes: fakeImage({ faces: [{ person: 'carl', size: 250 }, { person: 'ann', size: 150 }, { person: 'bob', size: 120 }] }) },
    }));
    expect(result.SourceImageFace!.BoundingBox!.Width).toBe(0.3);
    expect(result.FaceMatches).toHaveLength(1);
    expect(result.FaceMatches![0]!.Face!.BoundingBox!.Width).toBe(0.15);
    expect(result.FaceMatches![0]!.Similarity).toBeGreaterThan(99);
    expect(Object.keys(result.FaceMatches![0]!.Face!).sort()).toEqual(['BoundingBox', 'Confidence', 'Emotions', 'Landmarks', 'Pose', 'Quality', 'Smile']);
    expect(result.UnmatchedFaces!.map((face) => face.BoundingBox!.Width)).toEqual([0.25, 0.12]);
  });

  it('honours SimilarityThreshold in CompareFaces', async () => {
    const result = await harness.client.send(new CompareFacesCommand({
      SourceImage: { Bytes: fakeImage({ faces: [{ person: 'ann' }] }) },
      TargetImage: { Bytes: fakeImage({ faces: [{ person: 'bob' }] }) },
      SimilarityThreshold: 0,
    }));
    expect(result.FaceMatches).toHaveLength(1);
    expect(result.UnmatchedFaces).toEqual([]);
  });

  it('answers InvalidParameterException when the source image has no face', async () => {
    await expect(harness.client.send(new CompareFacesCommand({
      SourceImage: { Bytes: fakeImage({ faces: [] }) }, TargetImage: { Bytes: fakeImage({ faces: [{ person: 'bob' }] }) },
    }))).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
