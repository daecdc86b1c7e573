// S3 on loopback (s3rver, the S3 REST API over plain files), objects kept under a directory so stored originals
// survive a restart; the buckets it is given exist once it has started.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: { closeAllConnections?(): void };
}

type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string; configs: [] }>;
  allowMismatchedSignatures: boolean;
  /** Path-style only: buckets are never resolved from the Host header. */
  vhostBuckets: boolean;
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedS3(options: { directory: string; buckets: string[]; host?: string; port?: number }): Promise<EmbeddedS3> {
  await mkdir(options.directory, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const instance = new S3rver({
    address: host,
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
    // Whatever credentials the SDK finds in the environment, local S3 accepts them.
    allowMismatchedSignatures: true,
    vhostBuckets: false,
  });
  const { port } = await instance.run();
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: async () => {
      const closing = instance.close();
      // The SDK keeps connections alive; without this, close waits for them to time out.
      instance.httpServer?.closeAllConnections?.();
      await closing;
    },
  };
}
