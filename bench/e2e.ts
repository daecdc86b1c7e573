// `npm run bench:e2e`: the local stack end to end, driven over HTTP as a client drives it.
// 1. Latency of a 5-photo request, and throughput (images/s) at 1, 2 and 4 concurrent clients, with the real
//    face model.
// 2. The handler's fan-out: with a face service that answers after a fixed delay, a batch of N images at
//    INDEX_CONCURRENCY C should take close to ceil(N / C) x delay. Goal: within 15% of that ideal. The face service
//    answers every IndexFaces exactly the delay after the request reaches it (the fault plan's `responseTimeMs`), its
//    own S3 read included, as a Rekognition of fixed latency would; its engine finds no face, so it has nothing to
//    store. What is measured beyond the ideal is the handler's and the gateway's: parsing, claims, S3 writes,
//    record completions, and how well calls are kept in flight.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createHumanEngine } from '../local/face-service/engine/human-engine.js';
import type { EngineAnalysis, FaceEngine } from '../local/face-service/engine/types.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../local/stack.js';

const FACES = join(import.meta.dirname, '..', 'test', 'fixtures', 'faces');
const FIVE_PHOTOS = ['single_face_frontal.jpg', 'match_person1_b.jpg', 'match_person2.jpg', 'group_2_faces.jpg', 'bw_photo.jpeg'];
const LATENCY_RUNS = 5;
const REQUESTS_PER_CLIENT = 3;
const FAN_OUT_DELAY_MS = 500;
const FAN_OUT_CASES: Array<{ images: number; concurrency: number }> = [
  { images: 10, concurrency: 1 },
  { images: 10, concurrency: 5 },
  { images: 20, concurrency: 5 },
  { images: 20, concurrency: 10 },
];

let requestCounter = 0;

async function post(stack: LocalStack, photos: Array<{ name: string; bytes: Buffer }>, collection: string): Promise<number> {
  const form = new FormData();
  for (const photo of photos) form.append('inputImages[]', new Blob([photo.bytes], { type: 'image/jpeg' }), photo.name);
  form.append('collection', collection);
  const started = performance.now();
  const response = await fetch(`${stack.url}/ia/faces/bulkUpload`, { method: 'POST', headers: { Authorization: stack.token }, body: form });
  const body = await response.text();
  if (response.status !== 201) throw new Error(`Expected 201, got ${response.status}: ${body.slice(0, 300)}`);
  return performance.now() - started;
}

/** Every request goes to a fresh collection, so the face service never answers from what it already indexed. */
const freshCollection = () => `bench-${process.pid}-${(requestCounter += 1)}`;

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function withStack<T>(options: Pick<LocalStackOptions, 'faceEngine' | 'faultPlan' | 'handlerEnvironment' | 'log'>, run: (stack: LocalStack) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'facegate-bench-'));
  const stack = await startLocalStack({ port: 0, host: '127.0.0.1', dataDir, ...options });
  try {
    return await run(stack);
  } finally {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function latencyAndThroughput(engine: FaceEngine, photos: Array<{ name: string; bytes: Buffer }>): Promise<void> {
  await withStack({ faceEngine: engine }, async (stack) => {
    await post(stack, photos, freshCollection()); // warm-up: first detections are slower
    const latencies: number[] = [];
    for (let run = 0; run < LATENCY_RUNS; run += 1) latencies.push(await post(stack, photos, freshCollection()));
    console.log(`5-photo request latency over ${LATENCY_RUNS} runs: p50 ${percentile(latencies, 0.5).toFixed(0)} ms, min ${Math.min(...latencies).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);

    for (const clients of [1, 2, 4]) {
      const started = performance.now();
      const perRequest: number[] = [];
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let request = 0; request < REQUESTS_PER_CLIENT; request += 1) perRequest.push(await post(stack, photos, freshCollection()));
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const images = clients * REQUESTS_PER_CLIENT * photos.length;
      console.log(
        `${clients} concurrent client(s): ${(images / seconds).toFixed(1)} images/s (${images} images in ${seconds.toFixed(1)} s, request p50 ${percentile(perRequest, 0.5).toFixed(0)} ms)`,
      );
    }
  });
}

/** Finds no face in any image, at once; counts the images it was given. */
function countingFacelessEngine(): FaceEngine & { readonly analyzed: number } {
  const analysis: EngineAnalysis = { width: 200, height: 200, faces: [] };
  let analyzed = 0;
  return {
    modelVersion: 'faceless-bench-engine',
    get analyzed() {
      return analyzed;
    },
    analyze: async () => {
      analyzed += 1;
      return analysis;
    },
    similarity: () => 0,
    close: async () => undefined,
  };
}

/** Distinct JPEGs (random pixels): the handler answers a repeated image from its records without the face service. */
function distinctImages(count: number, prefix: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => ({
      name: `${prefix}-${index}.jpg`,
      bytes: await sharp(randomBytes(200 * 200 * 3), { raw: { width: 200, height: 200, channels: 3 } }).jpeg().toBuffer(),
    })),
  );
}

async function fanOut(): Promise<boolean> {
  let allWithinGoal = true;
  for (const { images, concurrency } of FAN_OUT_CASES) {
    const engine = countingFacelessEngine();
    // The handler logs its own duration: what it adds beyond that is the gateway's and the client's share.
    let handlerMs = 0;
    const log = (line: string) => {
      const duration = /"event":"bulkUpload".*"durationMs":(\d+)/.exec(line);
      if (duration) handlerMs = Number(duration[1]);
    };
    await withStack(
      {
        faceEngine: engine,
        faultPlan: { rekognition: { operations: ['IndexFaces'], responseTimeMs: FAN_OUT_DELAY_MS } },
        handlerEnvironment: { INDEX_CONCURRENCY: String(concurrency) },
        log,
      },
      async (stack) => {
        const collection = freshCollection();
        // Creates the collection first, so the measured request is only the fan-out.
        await post(stack, await distinctImages(1, 'warm-up'), collection);
        const batch = await distinctImages(images, 'image');
        const elapsed = await post(stack, batch, collection);
        if (engine.analyzed !== images + 1) throw new Error(`The face service analyzed ${engine.analyzed - 1} of ${images} images: the measure is void`);
        const ideal = Math.ceil(images / concurrency) * FAN_OUT_DELAY_MS;
        const over = ((elapsed - ideal) / ideal) * 100;
        allWithinGoal &&= over <= 15;
        console.log(
          `fan-out N=${images} C=${concurrency}: ${elapsed.toFixed(0)} ms (handler ${handlerMs} ms) vs ideal ${ideal} ms (ceil(N/C) x ${FAN_OUT_DELAY_MS} ms): ` +
            `${over.toFixed(1)}% over ideal ${over <= 15 ? '(within 15%)' : '(OVER the 15% goal)'}`,
        );
      },
    );
  }
  return allWithinGoal;
}

const photos = await Promise.all(FIVE_PHOTOS.map(async (name) => ({ name, bytes: await readFile(join(FACES, name)) })));
const modelStarted = performance.now();
const engine = await createHumanEngine();
console.log(`face model loaded in ${((performance.now() - modelStarted) / 1000).toFixed(1)} s`);
try {
  await latencyAndThroughput(engine, photos);
} finally {
  await engine.close();
}
const withinGoal = await fanOut();
console.log(withinGoal ? 'fan-out: every case within 15% of ideal' : 'fan-out: some cases over the 15% goal');
