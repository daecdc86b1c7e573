import {
  CreateCollectionCommand, ImageTooLargeException, IndexFacesCommand, InvalidS3ObjectException,
} from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeEngine, fakeImage } from './fake-engine.js';
import { type LocalS3, startLocalS3 } from './s3-images.js';
import { type Harness, startHarness } from './service-harness.js';

describe('face service images read from S3', () => {
  let s3: LocalS3;
  let harness: Harness;
  beforeAll(async () => {
    s3 = await startLocalS3(['photos']);
    harness = await startHarness(createFakeEngine());
    await harness.client.send(new CreateCollectionCommand({ CollectionId: 'staff' }));
  });
  afterAll(async () => {
    await harness?.stop();
    await s3?.stop();
  });

  const indexObject = (Bucket: string, Name: string) =>
    harness.client.send(new IndexFacesCommand({ CollectionId: 'staff', Image: { S3Object: { Bucket, Name } } }));

  it('indexes an image given as S3Object, with the ImageId of its bytes', async () => {
    const bytes = fakeImage({ faces: [{ person: 'ann' }] });
    await s3.put('photos', 'tenant/ann.jpg', bytes);
    const fromS3 = await indexObject('photos', 'tenant/ann.jpg');
    const inline = await harness.client.send(new IndexFacesCommand({ CollectionId: 'staff', ExternalImageId: 'inline', Image: { Bytes: bytes } }));
    expect(fromS3.FaceRecords).toHaveLength(1);
    expect(fromS3.FaceRecords![0]!.Face!.ImageId).toBe(inline.FaceRecords![0]!.Face!.ImageId);
  });

  it('answers InvalidS3ObjectException for a missing object or bucket', async () => {
    await expect(indexObject('photos', 'nothing-here.jpg')).rejects.toBeInstanceOf(InvalidS3ObjectException);
    await expect(indexObject('no-such-bucket', 'a.jpg')).rejects.toBeInstanceOf(InvalidS3ObjectException);
  });

  it('answers ImageTooLargeException for an object over 15 MB', async () => {
    await s3.put('photos', 'huge.jpg', Buffer.alloc(15 * 1024 * 1024 + 1, 7));
    await expect(indexObject('photos', 'huge.jpg')).rejects.toBeInstanceOf(ImageTooLargeException);
  });
});
