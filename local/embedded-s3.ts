// S3 on loopback (s3rver, the S3 REST API over plain files) in a worker thread of its own, objects kept under a
// directory so stored originals survive a restart; the buckets it is given exist once it has started.
import { mkdir } from 'node:fs/promises';
import { MessageChannel } from 'node:worker_threads';
import type { EmbeddedS3WorkerData, S3WriteFaultAnswer, S3WriteFaultQuestion } from './embedded-s3-worker.js';
import type { FaultInjector } from './faults/fault-injector.js';
import { startServerInWorker } from './worker-threads.js';

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedS3(options: {
  directory: string;
  buckets: string[];
  host?: string;
  port?: number;
  /** Object writes to fail, as the plan says. */
  faults?: FaultInjector;
}): Promise<EmbeddedS3> {
  await mkdir(options.directory, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const { faults } = options;
  const channel = faults ? new MessageChannel() : undefined;
  channel?.port1.on('message', ({ id, key, fileName }: S3WriteFaultQuestion) => {
    channel.port1.postMessage({ id, fails: faults!.s3WriteFails(key, fileName) } satisfies S3WriteFaultAnswer);
  });
  const workerData: EmbeddedS3WorkerData = { directory: options.directory, buckets: options.buckets, host, port: options.port ?? 0, faults: channel?.port2 };
  try {
    const server = await startServerInWorker('s3', new URL('./embedded-s3-worker.ts', import.meta.url), {
      workerData,
      transferList: channel ? [channel.port2] : [],
    });
    return {
      endpoint: `http://${host}:${server.port}`,
      port: server.port,
      close: async () => {
        await server.close();
        channel?.port1.close();
      },
    };
  } catch (error) {
    channel?.port1.close();
    throw error;
  }
}
