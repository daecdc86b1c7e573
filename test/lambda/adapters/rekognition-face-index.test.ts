import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RekognitionFaceIndex } from '../../../lambda/adapters/rekognition-face-index.js';
import { failure, startFakeRekognitionServer, type FakeRekognitionServer } from '../support/fake-rekognition-server.js';
import { LOCAL_CLIENT_SETTINGS, localSdkEnvironment, setEnvironment } from '../support/local-aws.js';

let rekognition: FakeRekognitionServer;
let client: RekognitionClient;

beforeAll(async () => {
  rekognition = await startFakeRekognitionServer();
  client = new RekognitionClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: rekognition.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  client?.destroy();
  await rekognition?.close();
});

beforeEach(() => rekognition.reset());

const request = {
  collectionId: 'facegate-t1-staff',
  image: { bucket: 'images', key: 'tenants/t1/collections/staff/abc.jpg' },
  externalImageId: 'kerwin.jpeg',
  maxFaces: 100,
  qualityFilter: 'AUTO' as const,
};

describe('RekognitionFaceIndex', () => {
  it('asks IndexFaces for every attribute of the faces of the stored image', async () => {
    await new RekognitionFaceIndex({ client }).indexFaces(request);
    expect(rekognition.calls).toEqual([
      {
        operation: 'IndexFaces',
        body: {
          CollectionId: 'facegate-t1-staff',
          Image: { S3Object: { Bucket: 'images', Name: 'tenants/t1/collections/staff/abc.jpg' } },
          ExternalImageId: 'kerwin.jpeg',
          DetectionAttributes: ['ALL'],
          MaxFaces: 100,
          QualityFilter: 'AUTO',
        },
      },
    ]);
  });

  it('returns the answer as Rekognition shapes it, without SDK metadata', async () => {
    const face = { FaceId: 'f-1', ImageId: 'i-1', ExternalImageId: 'kerwin.jpeg', Confidence: 99.9, BoundingBox: { Width: 0.4, Height: 0.5, Left: 0.2, Top: 0.1 } };
    rekognition.answer('IndexFaces', {
      status: 200,
      body: {
        FaceRecords: [{ Face: face, FaceDetail: { BoundingBox: face.BoundingBox, Confidence: 99.9, AgeRange: { Low: 22, High: 34 } } }],
        FaceModelVersion: '7.0',
        UnindexedFaces: [{ Reasons: ['SMALL_BOUNDING_BOX'], FaceDetail: { Confidence: 60 } }],
        OrientationCorrection: 'ROTATE_90',
      },
    });
    const result = await new RekognitionFaceIndex({ client }).indexFaces(request);
    expect(result).toEqual({
      FaceRecords: [{ Face: face, FaceDetail: { BoundingBox: face.BoundingBox, Confidence: 99.9, AgeRange: { Low: 22, High: 34 } } }],
      FaceModelVersion: '7.0',
      UnindexedFaces: [{ Reasons: ['SMALL_BOUNDING_BOX'], FaceDetail: { Confidence: 60 } }],
      OrientationCorrection: 'ROTATE_90',
    });
  });

  it('answers empty lists when an image has no face', async () => {
    rekognition.answer('IndexFaces', { status: 200, body: { FaceModelVersion: '7.0' } });
    expect(await new RekognitionFaceIndex({ client }).indexFaces(request)).toEqual({ FaceRecords: [], UnindexedFaces: [], FaceModelVersion: '7.0' });
  });

  it('lets Rekognition errors through under their own names', async () => {
    rekognition.answer('IndexFaces', failure('ResourceNotFoundException'));
    await expect(new RekognitionFaceIndex({ client }).indexFaces(request)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('creates a missing collection', async () => {
    await new RekognitionFaceIndex({ client }).ensureCollection('facegate-t1-staff');
    expect(rekognition.calls).toEqual([{ operation: 'CreateCollection', body: { CollectionId: 'facegate-t1-staff' } }]);
  });

  it('accepts a collection another request created first', async () => {
    rekognition.answer('CreateCollection', failure('ResourceAlreadyExistsException'));
    await expect(new RekognitionFaceIndex({ client }).ensureCollection('facegate-t1-staff')).resolves.toBeUndefined();
  });

  it('reports any other failure to create the collection', async () => {
    rekognition.answer('CreateCollection', failure('AccessDeniedException'));
    await expect(new RekognitionFaceIndex({ client }).ensureCollection('facegate-t1-staff')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('RekognitionFaceIndex with its own client', () => {
  let restoreEnvironment: () => void;

  beforeAll(() => {
    // The SDK's own variables, as the Lambda and the local stack set them.
    restoreEnvironment = setEnvironment(localSdkEnvironment({ REKOGNITION: rekognition.endpoint }));
  });

  afterAll(() => restoreEnvironment());

  it('retries throttled calls up to its configured attempts, then succeeds', async () => {
    rekognition.answer('IndexFaces', failure('ThrottlingException'), failure('ProvisionedThroughputExceededException'), { status: 200, body: { FaceModelVersion: '7.0' } });
    const result = await new RekognitionFaceIndex({ maxAttempts: 3 }).indexFaces(request);
    expect(result.FaceModelVersion).toBe('7.0');
    expect(rekognition.calls.map((call) => call.operation)).toEqual(['IndexFaces', 'IndexFaces', 'IndexFaces']);
  });

  it('gives up after its configured attempts', async () => {
    rekognition.answer('IndexFaces', failure('InternalServerError', 500), failure('InternalServerError', 500), failure('InternalServerError', 500));
    await expect(new RekognitionFaceIndex({ maxAttempts: 2 }).indexFaces(request)).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(rekognition.calls).toHaveLength(2);
  });
});
