// Local S3 for the S3Object tests: s3rver on a free loopback port, and the environment the SDK reads to reach it
// (AWS_ENDPOINT_URL_S3, credentials), restored afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startEmbeddedS3 } from '../../../local/embedded-s3.js';

const SDK_VARIABLES = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

export interface LocalS3 {
  put(bucket: string, key: string, bytes: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(tmpdir(), 'face-service-s3-'));
  const s3 = await startEmbeddedS3({ directory, buckets });
  const saved = Object.fromEntries(SDK_VARIABLES.map((name) => [name, process.env[name]]));
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  // s3rver's documented credentials: it refuses any other access key.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const client = new S3Client({ region: 'eu-west-3', forcePathStyle: true });
  return {
    async put(bucket, key, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
    },
    async stop() {
      client.destroy();
      await s3.close();
      for (const name of SDK_VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
