import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ImageStore } from '../../../lambda/adapters/s3-image-store.js';
import { metadataValue, sha256Hex } from '../../../lambda/core/naming.js';
import { LOCAL_CLIENT_SETTINGS, startLocalS3, type LocalService } from '../support/local-aws.js';

const BUCKET = 'facegate-images-under-test';
let s3: LocalService;
let client: S3Client;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  client = new S3Client({ ...LOCAL_CLIENT_SETTINGS, endpoint: s3.endpoint, forcePathStyle: true });
});

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

describe('S3ImageStore', () => {
  it('stores the original byte for byte with its content type and metadata, and says where', async () => {
    const bytes = await readFile(new URL('../../fixtures/faces/group_2_faces.jpg', import.meta.url));
    const store = new S3ImageStore(BUCKET, { client });
    const key = 'tenants/t-acme/collections/staff/abc.jpg';
    const metadata = { 'original-filename': metadataValue('Équipe (1).jpg'), 'external-image-id': 'Equipe_1_0123.jpg' };

    const stored = await store.put({ key, bytes, sha256: sha256Hex(bytes), contentType: 'image/jpeg', metadata });

    expect(stored).toEqual({ bucket: BUCKET, key });
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    expect(object.ContentType).toBe('image/jpeg');
    expect(object.Metadata).toEqual(metadata);
    expect(decodeURIComponent(object.Metadata!['original-filename']!)).toBe('Équipe (1).jpg');
  });

  it('lets the storage error through for the caller to classify', async () => {
    const store = new S3ImageStore('no-such-bucket', { client });
    const bytes = new Uint8Array([1]);
    await expect(store.put({ key: 'k', bytes, sha256: sha256Hex(bytes), contentType: 'image/png', metadata: {} })).rejects.toMatchObject({
      name: 'NoSuchBucket',
    });
  });

  it('has S3 check the upload against the content hash, instead of the SDK computing a CRC32 of its own', async () => {
    const sent: Array<Record<string, string>> = [];
    const watched = new S3Client({ ...LOCAL_CLIENT_SETTINGS, endpoint: s3.endpoint, forcePathStyle: true });
    watched.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    const bytes = await readFile(new URL('../../fixtures/faces/bw_photo.jpeg', import.meta.url));
    await new S3ImageStore(BUCKET, { client: watched }).put({ key: 'checked.jpg', bytes, sha256: sha256Hex(bytes), contentType: 'image/jpeg', metadata: {} });
    watched.destroy();
    expect(sent[0]!['x-amz-checksum-sha256']).toBe(createHash('sha256').update(bytes).digest('base64'));
    expect(Object.keys(sent[0]!).filter((name) => name.startsWith('x-amz-checksum-'))).toEqual(['x-amz-checksum-sha256']);
  });
});
