// Starts the face service on a free loopback port with a fresh data directory and gives a Rekognition client
// pointed at it, exactly as an application would configure one (endpoint, any credentials, a region).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import type { FaceEngine } from '../../../local/face-service/engine/types.js';
import { type FaceService, startFaceService } from '../../../local/face-service/server.js';

export const TEST_REGION = 'eu-west-3';

/** A Rekognition client for the service at `url`: any credentials work; no retries, so each call is one request. */
export const rekognitionClientFor = (url: string): RekognitionClient =>
  new RekognitionClient({
    endpoint: url,
    region: TEST_REGION,
    credentials: { accessKeyId: 'local-test-key', secretAccessKey: 'local-test-secret' },
    maxAttempts: 1,
  });

export interface Harness {
  service: FaceService;
  client: RekognitionClient;
  dataDir: string;
  logLines: string[];
  /** Stops the service and starts it again on the same data directory (a restart). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** `dataDir` reuses a data directory (removed on stop); a fresh one is made otherwise. */
export async function startHarness(engine: FaceEngine, existingDataDir?: string): Promise<Harness> {
  const dataDir = existingDataDir ?? (await mkdtemp(path.join(tmpdir(), 'face-service-test-')));
  const logLines: string[] = [];
  const start = () => startFaceService({ port: 0, dataDir, engine, log: (line) => logLines.push(line) });
  const clientFor = (service: FaceService) => rekognitionClientFor(service.url);
  const harness: Harness = {
    service: await start(),
    client: undefined as unknown as RekognitionClient,
    dataDir,
    logLines,
    async restart() {
      harness.client.destroy();
      await harness.service.close();
      harness.service = await start();
      harness.client = clientFor(harness.service);
    },
    async stop() {
      harness.client.destroy();
      await harness.service.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  harness.client = clientFor(harness.service);
  return harness;
}
