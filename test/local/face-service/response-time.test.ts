import { CreateCollectionCommand, DescribeCollectionCommand, ThrottlingException } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeEngine } from './fake-engine.js';
import { type Harness, startHarness } from './service-harness.js';

const RESPONSE_TIME_MS = 300;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness(createFakeEngine());
  await harness.client.send(new CreateCollectionCommand({ CollectionId: 'timed' }));
});

afterAll(async () => {
  await harness?.stop();
});

async function timed<T>(call: () => Promise<T>): Promise<{ outcome: T | unknown; elapsedMs: number }> {
  const started = performance.now();
  const outcome = await call().catch((error: unknown) => error);
  return { outcome, elapsedMs: performance.now() - started };
}

describe('a fault plan with a response time', () => {
  it('answers a faulted operation no sooner than the response time after the request arrived', async () => {
    harness.service.faults.plan = { rekognition: { operations: ['DescribeCollection'], responseTimeMs: RESPONSE_TIME_MS } };
    const { outcome, elapsedMs } = await timed(() => harness.client.send(new DescribeCollectionCommand({ CollectionId: 'timed' })));
    expect(outcome).toMatchObject({ FaceCount: 0 });
    expect(elapsedMs).toBeGreaterThanOrEqual(RESPONSE_TIME_MS);
    expect(harness.service.faults.injected.delayed).toBe(1);
  });

  it('holds an injected error until the response time too', async () => {
    harness.service.faults.plan = { rekognition: { operations: ['DescribeCollection'], throttle: 1, responseTimeMs: RESPONSE_TIME_MS } };
    const { outcome, elapsedMs } = await timed(() => harness.client.send(new DescribeCollectionCommand({ CollectionId: 'timed' })));
    expect(outcome).toBeInstanceOf(ThrottlingException);
    expect(elapsedMs).toBeGreaterThanOrEqual(RESPONSE_TIME_MS);
  });

  it('leaves the operations outside the plan as quick as they are', async () => {
    harness.service.faults.plan = { rekognition: { operations: ['IndexFaces'], responseTimeMs: 60_000 } };
    const { outcome } = await timed(() => harness.client.send(new DescribeCollectionCommand({ CollectionId: 'timed' })));
    expect(outcome).toMatchObject({ FaceCount: 0 });
    expect(harness.service.faults.injected.delayed).toBe(0);
  });
});
