import {
  CreateCollectionCommand, DeleteFacesCommand, DescribeCollectionCommand, DetectFacesCommand, ImageTooLargeException,
  IndexFacesCommand, type IndexFacesCommandInput, InvalidImageFormatException, InvalidParameterException,
  ListFacesCommand, ResourceNotFoundException,
} from '@aws-sdk/client-rekognition';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, fakeImage, tinyImage } from './fake-engine.js';
import { type Harness, startHarness } from './service-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_FIELDS = ['BoundingBox', 'Confidence', 'Landmarks', 'Pose', 'Quality'];

describe('face service IndexFaces, ListFaces, DeleteFaces and DetectFaces', () => {
  let harness: Harness;
  let engine: ReturnType<typeof createFakeEngine>;
  beforeEach(async () => {
    engine = createFakeEngine();
    harness = await startHarness(engine);
    await harness.client.send(new CreateCollectionCommand({ CollectionId: 'staff' }));
  });
  afterEach(async () => {
    await harness.stop();
  });

  const index = (input: Partial<IndexFacesCommandInput>) =>
    harness.client.send(new IndexFacesCommand({ CollectionId: 'staff', Image: undefined, ...input }));
  const faceCount = async () => (await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }))).FaceCount;

  it('indexes every face of a group photo, largest first, with ids and the model version', async () => {
    const bytes = fakeImage({ faces: [{ person: 'small', size: 100 }, { person: 'large', size: 300 }, { person: 'mid', size: 200 }] });
    const result = await index({ ExternalImageId: 'team:2024.jpg', Image: { Bytes: bytes } });

    expect(result.FaceModelVersion).toBe('fake-engine-1');
    expect(result.UnindexedFaces).toEqual([]);
    expect(result.FaceRecords!.map((record) => record.Face!.BoundingBox!.Width)).toEqual([0.3, 0.2, 0.1]);
    const imageIds = new Set(result.FaceRecords!.map((record) => record.Face!.ImageId));
    expect(imageIds.size).toBe(1);
    for (const record of result.FaceRecords!) {
      expect(record.Face!.FaceId).toMatch(UUID);
      expect(record.Face!.ImageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(record.Face!.ExternalImageId).toBe('team:2024.jpg');
      expect(record.Face!.IndexFacesModelVersion).toBe('fake-engine-1');
      expect(record.Face!.Confidence).toBe(99.9);
      expect(Object.keys(record.FaceDetail!).sort()).toEqual(DEFAULT_FIELDS);
    }
    expect(await faceCount()).toBe(3);
  });

  it('gives the same ImageId to the same bytes and another to other bytes', async () => {
    const first = await index({ Image: { Bytes: fakeImage({ faces: [{ person: 'ann' }] }) }, ExternalImageId: 'one' });
    const same = await index({ Image: { Bytes: fakeImage({ faces: [{ person: 'ann' }] }) }, ExternalImageId: 'two' });
    const other = await index({ Image: { Bytes: fakeImage({ faces: [{ person: 'ann' }], variant: 'b' }) }, ExternalImageId: 'one' });
    expect(same.FaceRecords![0]!.Face!.ImageId).toBe(first.FaceRecords![0]!.Face!.ImageId);
    expect(other.FaceRecords![0]!.Face!.ImageId).not.toBe(first.FaceRecords![0]!.Face!.ImageId);
  });

  it('returns every attribute the engine gives for ALL, and the default ones plus the asked one for a single attribute', async () => {
    const all = await index({ Image: { Bytes: fakeImage({ faces: [{ person: 'ann' }] }) }, DetectionAttributes: ['ALL'] });
    expect(Object.keys(all.FaceRecords![0]!.FaceDetail!).sort()).toEqual([...DEFAULT_FIELDS, 'AgeRange', 'Emotions', 'Smile'].sort());
    const one = await index({ Image: { Bytes: fakeImage({ faces: [{ person: 'bob' }] }) }, DetectionAttributes: ['AGE_RANGE'] });
    expect(Object.keys(one.FaceRecords![0]!.FaceDetail!).sort()).toEqual([...DEFAULT_FIELDS, 'AgeRange'].sort());
    expect(one.FaceRecords![0]!.FaceDetail!.AgeRange).toEqual({ Low: 30, High: 40 });
  });

  it('keeps the largest faces up to MaxFaces and reports the rest as EXCEEDS_MAX_FACES', async () => {
    const result = await index({
      Image: { Bytes: fakeImage({ faces: [{ person: 'a', size: 100 }, { person: 'b', size: 300 }, { person: 'c', size: 200 }] }) },
      MaxFaces: 2,
    });
    expect(result.FaceRecords!.map((record) => record.Face!.BoundingBox!.Width)).toEqual([0.3, 0.2]);
    expect(result.UnindexedFaces).toHaveLength(1);
    expect(result.UnindexedFaces![0]!.Reasons).toEqual(['EXCEEDS_MAX_FACES']);
    expect(result.UnindexedFaces![0]!.FaceDetail!.BoundingBox!.Width).toBe(0.1);
    expect(await faceCount()).toBe(2);
  });

  it('leaves low-quality faces out under QualityFilter with the reasons, and keeps them all with NONE', async () => {
    const faces = [
      { person: 'good' },
      { person: 'turned', yaw: 85 },
      { person: 'dark', brightness: 2 },
      { person: 'blurred', sharpness: 0.5 },
      { person: 'doubtful', confidence: 40 },
      { person: 'tiny', size: 30 },
    ];
    const filtered = await index({ Image: { Bytes: fakeImage({ faces }) }, QualityFilter: 'AUTO' });
    expect(filtered.FaceRecords).toHaveLength(1);
    expect(filtered.UnindexedFaces!.map((face) => face.Reasons)).toEqual([
      ['EXTREME_POSE'],
      ['LOW_BRIGHTNESS', 'LOW_FACE_QUALITY'],
      ['LOW_SHARPNESS', 'LOW_FACE_QUALITY'],
      ['LOW_CONFIDENCE'],
      ['SMALL_BOUNDING_BOX'],
    ]);
    const unfiltered = await index({ Image: { Bytes: fakeImage({ faces, variant: 'again' }) }, QualityFilter: 'NONE' });
    expect(unfiltered.FaceRecords).toHaveLength(6);
  });

  it('is stricter with HIGH than with AUTO', async () => {
    const image = { faces: [{ person: 'ok', sharpness: 15, yaw: 50 }] };
    expect((await index({ Image: { Bytes: fakeImage(image) }, QualityFilter: 'AUTO' })).FaceRecords).toHaveLength(1);
    const strict = await index({ Image: { Bytes: fakeImage({ ...image, variant: 'high' }) }, QualityFilter: 'HIGH' });
    expect(strict.FaceRecords).toHaveLength(0);
    expect(strict.UnindexedFaces![0]!.Reasons).toEqual(['EXTREME_POSE', 'LOW_SHARPNESS', 'LOW_FACE_QUALITY']);
  });

  it('indexes a photo without faces as an empty answer, storing nothing', async () => {
    const result = await index({ Image: { Bytes: fakeImage({ faces: [] }) } });
    expect(result.FaceRecords).toEqual([]);
    expect(result.UnindexedFaces).toEqual([]);
    expect(await faceCount()).toBe(0);
  });

  it('does not store the same image with the same ExternalImageId twice, and returns the faces it has', async () => {
    const bytes = fakeImage({ faces: [{ person: 'ann' }, { person: 'bob', size: 100 }] });
    const first = await index({ Image: { Bytes: bytes }, ExternalImageId: 'photo.jpg' });
    const again = await index({ Image: { Bytes: bytes }, ExternalImageId: 'photo.jpg' });
    expect(again.FaceRecords!.map((record) => record.Face!.FaceId)).toEqual(first.FaceRecords!.map((record) => record.Face!.FaceId));
    expect(again.FaceRecords![0]!.FaceDetail).toEqual(first.FaceRecords![0]!.FaceDetail);
    expect(await faceCount()).toBe(2);
    await harness.restart();
    const afterRestart = await index({ Image: { Bytes: bytes }, ExternalImageId: 'photo.jpg' });
    expect(afterRestart.FaceRecords!.map((record) => record.Face!.FaceId)).toEqual(first.FaceRecords!.map((record) => record.Face!.FaceId));
    await index({ Image: { Bytes: bytes }, ExternalImageId: 'copy.jpg' });
    expect(await faceCount()).toBe(4);
  });

  it('stores an image once when two identical IndexFaces calls arrive together', async () => {
    const bytes = fakeImage({ faces: [{ person: 'ann' }] });
    const results = await Promise.all(Array.from({ length: 5 }, () => index({ Image: { Bytes: bytes }, ExternalImageId: 'same' })));
    const faceIds = new Set(results.map((result) => result.FaceRecords![0]!.Face!.FaceId));
    expect(faceIds.size).toBe(1);
    expect(await faceCount()).toBe(1);
  });

  it('lists faces page by page and deletes some of them', async () => {
    const indexed = await index({ Image: { Bytes: fakeImage({ faces: ['a', 'b', 'c', 'd', 'e'].map((person) => ({ person })) }) } });
    const ids = indexed.FaceRecords!.map((record) => record.Face!.FaceId!);
    const listed: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await harness.client.send(new ListFacesCommand({ CollectionId: 'staff', MaxResults: 2, NextToken }));
      expect(page.FaceModelVersion).toBe('fake-engine-1');
      expect(page.Faces!.length).toBeLessThanOrEqual(2);
      listed.push(...page.Faces!.map((face) => face.FaceId!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(listed.sort()).toEqual([...ids].sort());

    const unknown = '00000000-0000-4000-8000-000000000000';
    const deleted = await harness.client.send(new DeleteFacesCommand({ CollectionId: 'staff', FaceIds: [ids[0]!, ids[1]!, unknown] }));
    expect(deleted.DeletedFaces!.sort()).toEqual([ids[0], ids[1]].sort());
    expect(deleted.UnsuccessfulFaceDeletions).toEqual([]);
    await harness.restart();
    const remaining = await harness.client.send(new ListFacesCommand({ CollectionId: 'staff' }));
    expect(remaining.Faces!.map((face) => face.FaceId).sort()).toEqual(ids.slice(2).sort());
  });

  it('filters ListFaces by FaceIds', async () => {
    const indexed = await index({ Image: { Bytes: fakeImage({ faces: [{ person: 'a' }, { person: 'b' }] }) } });
    const wanted = indexed.FaceRecords![1]!.Face!.FaceId!;
    const listed = await harness.client.send(new ListFacesCommand({ CollectionId: 'staff', FaceIds: [wanted] }));
    expect(listed.Faces!.map((face) => face.FaceId)).toEqual([wanted]);
  });

  it('indexes an image again after all its faces were deleted', async () => {
    const bytes = fakeImage({ faces: [{ person: 'ann' }] });
    const first = await index({ Image: { Bytes: bytes }, ExternalImageId: 'x' });
    await harness.client.send(new DeleteFacesCommand({ CollectionId: 'staff', FaceIds: [first.FaceRecords![0]!.Face!.FaceId!] }));
    const second = await index({ Image: { Bytes: bytes }, ExternalImageId: 'x' });
    expect(second.FaceRecords![0]!.Face!.FaceId).not.toBe(first.FaceRecords![0]!.Face!.FaceId);
    expect(await faceCount()).toBe(1);
  });

  it('refuses DeleteFaces with no ids, too many ids or a malformed id', async () => {
    const del = (FaceIds: string[]) => harness.client.send(new DeleteFacesCommand({ CollectionId: 'staff', FaceIds }));
    await expect(del([])).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(del(Array.from({ length: 4097 }, () => '00000000-0000-4000-8000-000000000000'))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(del(['not-a-face-id'])).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it.each([
    ['an ExternalImageId with a space', { ExternalImageId: 'my photo.jpg' }],
    ['an ExternalImageId of 256 characters', { ExternalImageId: 'x'.repeat(256) }],
    ['MaxFaces 0', { MaxFaces: 0 }],
    ['an unknown QualityFilter', { QualityFilter: 'BEST' }],
    ['an unknown DetectionAttribute', { DetectionAttributes: ['HAIR'] }],
  ])('refuses %s with InvalidParameterException', async (_, input) => {
    const bytes = fakeImage({ faces: [{ person: 'ann' }] });
    await expect(index({ Image: { Bytes: bytes }, ...(input as Partial<IndexFacesCommandInput>) })).rejects.toBeInstanceOf(InvalidParameterException);
    expect(engine.analyzed).toBe(0);
  });

  it('refuses an image that is not a JPEG or PNG with InvalidImageFormatException', async () => {
    const error = await index({ Image: { Bytes: Buffer.from('RIFF....WEBPVP8 ') } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidImageFormatException);
    expect((error as Error).message).toMatch(/JPEG or PNG/);
  });

  it('refuses an image under 80 pixels with InvalidParameterException', async () => {
    await expect(index({ Image: { Bytes: tinyImage() } })).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('refuses Bytes over 5 MiB with ImageTooLargeException', async () => {
    const large = Buffer.alloc(5 * 1024 * 1024 + 1, 1);
    await expect(index({ Image: { Bytes: large } })).rejects.toBeInstanceOf(ImageTooLargeException);
  });

  it('refuses an Image with neither or both of Bytes and S3Object', async () => {
    await expect(index({ Image: {} })).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(index({ Image: { Bytes: fakeImage({ faces: [] }), S3Object: { Bucket: 'photos', Name: 'a.jpg' } } })).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('answers ResourceNotFoundException for an unknown collection without analysing the image', async () => {
    await expect(index({ CollectionId: 'missing', Image: { Bytes: fakeImage({ faces: [{ person: 'a' }] }) } })).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(engine.analyzed).toBe(0);
  });

  it('detects faces without storing them, with the attributes asked for', async () => {
    const result = await harness.client.send(new DetectFacesCommand({
      Image: { Bytes: fakeImage({ faces: [{ person: 'a', size: 100 }, { person: 'b', size: 250 }] }) }, Attributes: ['ALL'],
    }));
    expect(result.FaceDetails!.map((face) => face.BoundingBox!.Width)).toEqual([0.25, 0.1]);
    expect(result.FaceDetails![0]!.AgeRange).toEqual({ Low: 30, High: 40 });
    const plain = await harness.client.send(new DetectFacesCommand({ Image: { Bytes: fakeImage({ faces: [{ person: 'a' }] }) } }));
    expect(Object.keys(plain.FaceDetails![0]!).sort()).toEqual(DEFAULT_FIELDS);
    expect(await faceCount()).toBe(0);
  });
});
