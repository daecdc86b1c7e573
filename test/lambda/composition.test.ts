import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizerDependencies, createBulkUploadDependencies } from '../../lambda/composition.js';
import { ConfigurationError } from '../../lambda/config.js';
import { generateToken, hashToken } from '../../lambda/core/tokens.js';
import { createAuthorizerHandler } from '../../lambda/handlers/authorizer.js';
import { createBulkUploadHandler } from '../../lambda/handlers/bulk-upload.js';
import { failure, startFakeRekognitionServer, type FakeRekognitionServer } from './support/fake-rekognition-server.js';
import {
  createImageRecordsTable,
  createTenantsTable,
  LOCAL_CLIENT_SETTINGS,
  localSdkEnvironment,
  setEnvironment,
  startLocalDynamoDb,
  startLocalS3,
  type LocalService,
} from './support/local-aws.js';
import { encodeForm, fixture, imageFile, proxyEvent, uploadForm } from './support/upload-events.js';

// The production wiring, pointed at local stand-ins through the SDK's own endpoint variables only.
const BUCKET = 'facegate-images';
const TABLE = 'facegate-tenants';
const RECORDS_TABLE = 'facegate-image-records';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:api1/prod/POST/ia/faces/bulkUpload';

let dynamoDb: LocalService;
let s3: LocalService;
let rekognition: FakeRekognitionServer;
let restoreEnvironment: () => void;
let lambdaEnvironment: Record<string, string>;

beforeAll(async () => {
  [dynamoDb, s3, rekognition] = await Promise.all([startLocalDynamoDb(), startLocalS3([BUCKET]), startFakeRekognitionServer()]);
  restoreEnvironment = setEnvironment(localSdkEnvironment({ S3: s3.endpoint, DYNAMODB: dynamoDb.endpoint, REKOGNITION: rekognition.endpoint }));
  const client = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: dynamoDb.endpoint });
  await Promise.all([createTenantsTable(client, TABLE), createImageRecordsTable(client, RECORDS_TABLE)]);
  client.destroy();
  lambdaEnvironment = {
    IMAGES_BUCKET: BUCKET,
    TENANTS_TABLE: TABLE,
    IMAGE_RECORDS_TABLE: RECORDS_TABLE,
    COLLECTION_PREFIX: 'facegate-it',
    S3_FORCE_PATH_STYLE: 'true',
    INDEX_CONCURRENCY: '1',
    AWS_MAX_ATTEMPTS: '1',
  };
});

afterAll(async () => {
  restoreEnvironment?.();
  await Promise.all([dynamoDb?.stop(), s3?.stop(), rekognition?.close()]);
});

describe('the production wiring', () => {
  it('authorizes a stored tenant, stores its originals and indexes them from S3, creating the collection', async () => {
    const token = generateToken();
    const { tenants } = createAuthorizerDependencies(lambdaEnvironment);
    await tenants.create({ tenantId: 'c0ffee', name: 'acme', status: 'active', createdAt: new Date().toISOString() }, hashToken(token));

    const policy = await createAuthorizerHandler({ tenants, log: () => undefined })({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });
    expect(policy.context).toEqual({ tenantId: 'c0ffee' });

    rekognition.answer('IndexFaces', failure('ResourceNotFoundException'), { status: 200, body: { FaceRecords: [], FaceModelVersion: '7.0', UnindexedFaces: [] } });
    const upload = createBulkUploadHandler({ ...createBulkUploadDependencies(lambdaEnvironment), log: () => undefined });
    const encoded = await encodeForm(uploadForm('staff', [imageFile('single_face_frontal.jpg')]));
    const response = await upload(proxyEvent(encoded, { tenantId: String(policy.context!.tenantId) }));

    expect(response.statusCode).toBe(201);
    expect(rekognition.calls.map((call) => call.operation)).toEqual(['IndexFaces', 'CreateCollection', 'IndexFaces']);
    const indexed = rekognition.calls.at(-1)!.body as { CollectionId: string; Image: { S3Object: { Bucket: string; Name: string } } };
    expect(indexed.CollectionId).toBe('facegate-it-c0ffee-staff');
    expect(indexed.Image.S3Object.Bucket).toBe(BUCKET);
    const s3Client = new S3Client({ ...LOCAL_CLIENT_SETTINGS, endpoint: s3.endpoint, forcePathStyle: true });
    const object = await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: indexed.Image.S3Object.Name }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(fixture('single_face_frontal.jpg'))).toBe(true);
    s3Client.destroy();

    // The record of that upload answers a repeat, under another name, without calling Rekognition again.
    const calls = rekognition.calls.length;
    const repeat = await upload(proxyEvent(await encodeForm(uploadForm('staff', [imageFile('single_face_frontal.jpg', 'renamed.jpg')])), { tenantId: 'c0ffee' }));
    expect(repeat.statusCode).toBe(201);
    expect(JSON.parse(repeat.body).data).toEqual(JSON.parse(response.body).data);
    expect(rekognition.calls).toHaveLength(calls);
  });

  it('names the missing variable when the environment is incomplete', () => {
    expect(() => createBulkUploadDependencies({ ...lambdaEnvironment, IMAGES_BUCKET: '' })).toThrow(ConfigurationError);
    expect(() => createBulkUploadDependencies({ ...lambdaEnvironment, IMAGE_RECORDS_TABLE: undefined })).toThrow(/IMAGE_RECORDS_TABLE/);
    expect(() => createAuthorizerDependencies({})).toThrow(/TENANTS_TABLE/);
  });
});
