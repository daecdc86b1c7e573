// `npm run bench:load`: the local stack under sustained load on loopback. Concurrent clients each send bulk
// uploads of distinct photos (new bytes every time, so nothing is answered from an earlier upload) for a bounded
// time, then the run is checked: every image sent must come back either with faces or as a reported failure, and
// the faces the answers name must be exactly the faces the collections hold (none lost, none duplicated).
// Prints requests/s, images/s, latency percentiles, errors, lost images and the process's memory over time.
//
//   npm run bench:load                                   8 clients, 60 s, 3 photos per request, real face model
//   npm run bench:load -- --clients 4 --duration 10 --images 2 --engine synthetic
//   MALLOC_MMAP_THRESHOLD_=1048576 npm run bench:load  glibc kept from fragmenting (local/face-service/README.md, Memory)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHumanEngine } from '../local/face-service/engine/human-engine.js';
import type { FaceEngine } from '../local/face-service/engine/types.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';
import { distinctJpeg } from '../test/e2e/support/distinct-photo.js';
import { fixture } from '../test/e2e/support/fixtures.js';
import { createOneFaceEngine } from '../test/e2e/support/one-face-engine.js';
import { collectionIds, facesIn } from '../test/e2e/support/stack-stores.js';

const PHOTOS = ['single_face_frontal.jpg', 'match_person1_a.jpg', 'match_person1_b.jpg', 'match_person2.jpg', 'group_2_faces.jpg', 'bw_photo.jpeg'];
const REQUEST_TIMEOUT_MS = 60_000;
const MEMORY_SAMPLE_MS = 1000;

interface Settings {
  clients: number;
  durationSeconds: number;
  imagesPerRequest: number;
  engine: 'human' | 'synthetic';
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '8' },
      duration: { type: 'string', default: '60' },
      images: { type: 'string', default: '3' },
      engine: { type: 'string', default: 'human' },
    },
  });
  const positive = (name: string, raw: string, max: number) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got "${raw}"`);
    return value;
  };
  if (values.engine !== 'human' && values.engine !== 'synthetic') throw new Error(`--engine must be human or synthetic, got "${values.engine}"`);
  return {
    clients: positive('clients', values.clients, 256),
    durationSeconds: positive('duration', values.duration, 3600),
    imagesPerRequest: positive('images', values.images, 50),
    engine: values.engine,
  };
}

type ImageFate = 'indexed' | 'failed' | 'lost';

interface RequestRecord {
  ms: number;
  status: number | 'network error';
  fates: ImageFate[];
  failureCodes: string[];
}

interface Run {
  requests: RequestRecord[];
  lost: string[];
  /** FaceIds the answers named, per collection. */
  reportedFaces: Map<string, Set<string>>;
}

/** What became of each image of one answer; anything that is neither faces nor an Error is lost. */
function fatesOf(body: any, sent: string[]): { fates: ImageFate[]; failureCodes: string[]; faceIds: string[] } {
  const data: any[] = Array.isArray(body?.data) ? body.data : [];
  const fates: ImageFate[] = [];
  const failureCodes: string[] = [];
  const faceIds: string[] = [];
  sent.forEach((_name, index) => {
    const entry = data[index];
    if (Array.isArray(entry?.FaceRecords)) {
      fates.push('indexed');
      faceIds.push(...entry.FaceRecords.map((record: any) => record.Face.FaceId));
    } else if (typeof entry?.Error?.Code === 'string') {
      fates.push('failed');
      failureCodes.push(entry.Error.Code);
    } else {
      fates.push('lost');
    }
  });
  return { fates, failureCodes, faceIds };
}

async function client(stack: LocalStack, index: number, settings: Settings, sources: Buffer[], until: number, run: Run): Promise<void> {
  const collection = `load-client-${index}`;
  const reported = new Set<string>();
  run.reportedFaces.set(collection, reported);
  for (let request = 0; Date.now() < until; request += 1) {
    const form = new FormData();
    const names: string[] = [];
    for (let image = 0; image < settings.imagesPerRequest; image += 1) {
      const name = `c${index}-r${request}-i${image}.jpg`;
      const source = sources[(request * settings.imagesPerRequest + image + index) % sources.length]!;
      form.append('inputImages[]', new Blob([distinctJpeg(source, name)], { type: 'image/jpeg' }), name);
      names.push(name);
    }
    form.append('collection', collection);
    const started = performance.now();
    let record: RequestRecord;
    try {
      const response = await fetch(`${stack.url}/ia/faces/bulkUpload`, {
        method: 'POST',
        headers: { Authorization: stack.token },
        body: form,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const { fates, failureCodes, faceIds } = fatesOf(body, names);
      for (const faceId of faceIds) reported.add(faceId);
      record = { ms: performance.now() - started, status: response.status, fates, failureCodes };
    } catch {
      record = { ms: performance.now() - started, status: 'network error', fates: names.map(() => 'lost'), failureCodes: [] };
    }
    record.fates.forEach((fate, image) => fate === 'lost' && run.lost.push(`${collection}/${names[image]}`));
    run.requests.push(record);
  }
}

function percentile(sorted: number[], fraction: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(0)} MB`;

interface MemorySample {
  rss: number;
  /** The main thread's JS heap (the face store's index lives here; each worker has its own heap). */
  heapUsed: number;
  /** Memory outside the JS heap that JS objects hold: Buffers, ArrayBuffers, sharp's pixels. */
  external: number;
}

function sampleMemory(): MemorySample {
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

/** RSS, heap and external memory at the start, every quarter and the end of the run, and RSS at its peak. */
function printMemory(memory: MemorySample[]): void {
  const at = (fraction: number) => memory[Math.min(memory.length - 1, Math.floor(fraction * (memory.length - 1)))]!;
  const row = (name: string, of: (sample: MemorySample) => number) =>
    `${name.padEnd(21)}${[0, 0.25, 0.5, 0.75, 1].map((fraction) => megabytes(of(at(fraction))).padStart(8)).join('')}`;
  console.log(`memory (process)     ${['start', '25%', 'middle', '75%', 'end'].map((label) => label.padStart(8)).join('')}`);
  console.log(row('  RSS', (sample) => sample.rss));
  console.log(row('  JS heap (main)', (sample) => sample.heapUsed));
  console.log(row('  external (main)', (sample) => sample.external));
  console.log(
    `  peak RSS ${megabytes(Math.max(...memory.map((sample) => sample.rss)))} (${memory.length} samples, every ${MEMORY_SAMPLE_MS / 1000} s; the face model's workers run in this process)`,
  );
}

/** Faces the answers named but the collection lacks, and faces the collection holds that no answer named. */
async function reconcile(stack: LocalStack, run: Run): Promise<{ missing: number; unreported: number; stored: number }> {
  let missing = 0;
  let unreported = 0;
  let stored = 0;
  const collectionPrefix = `${stack.environment.COLLECTION_PREFIX}-`;
  const ids = (await collectionIds(stack)).filter((id) => id.startsWith(collectionPrefix));
  for (const [collection, reported] of run.reportedFaces) {
    const id = ids.find((candidate) => candidate.endsWith(`-${collection}`));
    const faces = new Set(id ? (await facesIn(stack, id)).map((face) => face.FaceId!) : []);
    stored += faces.size;
    for (const faceId of reported) if (!faces.has(faceId)) missing += 1;
    for (const faceId of faces) if (!reported.has(faceId)) unreported += 1;
  }
  return { missing, unreported, stored };
}

async function main(): Promise<void> {
  const settings = readSettings();
  const sources = await Promise.all(PHOTOS.map((name) => fixture(name)));
  console.log(
    `Load: ${settings.clients} clients, ${settings.durationSeconds} s, ${settings.imagesPerRequest} photos per request, ${settings.engine} face engine, loopback.`,
  );
  const engine: FaceEngine = settings.engine === 'human' ? await createHumanEngine() : createOneFaceEngine();
  const dataDir = await mkdtemp(join(tmpdir(), 'facegate-load-'));
  const stack = await startLocalStack({ port: 0, host: '127.0.0.1', dataDir, faceEngine: engine });
  const memory: MemorySample[] = [];
  const sampler = setInterval(() => memory.push(sampleMemory()), MEMORY_SAMPLE_MS);
  try {
    const started = Date.now();
    memory.push(sampleMemory());
    const until = started + settings.durationSeconds * 1000;
    const run: Run = { requests: [], lost: [], reportedFaces: new Map() };
    await Promise.all(Array.from({ length: settings.clients }, (_, index) => client(stack, index, settings, sources, until, run)));
    const elapsedSeconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    memory.push(sampleMemory());

    const latencies = run.requests.map((request) => request.ms).sort((a, b) => a - b);
    const fates = run.requests.flatMap((request) => request.fates);
    const failedRequests = run.requests.filter((request) => request.status !== 201);
    const codes = new Map<string, number>();
    for (const code of run.requests.flatMap((request) => request.failureCodes)) codes.set(code, (codes.get(code) ?? 0) + 1);
    const statuses = new Map<string, number>();
    for (const request of failedRequests) statuses.set(String(request.status), (statuses.get(String(request.status)) ?? 0) + 1);
    const reconciliation = await reconcile(stack, run);

    console.log('');
    console.log(`requests             ${run.requests.length} in ${elapsedSeconds.toFixed(1)} s = ${(run.requests.length / elapsedSeconds).toFixed(2)} requests/s`);
    console.log(`images               ${fates.length} sent, ${fates.filter((fate) => fate === 'indexed').length} indexed = ${(fates.filter((fate) => fate === 'indexed').length / elapsedSeconds).toFixed(2)} images/s`);
    console.log(`latency (request)    p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p95 ${percentile(latencies, 0.95).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms`);
    console.log(`errors               ${failedRequests.length} requests not 201 ${JSON.stringify(Object.fromEntries(statuses))}, ${fates.filter((fate) => fate === 'failed').length} images reported failed ${JSON.stringify(Object.fromEntries(codes))}`);
    console.log(`lost images          ${run.lost.length}${run.lost.length ? `: ${run.lost.slice(0, 20).join(', ')}${run.lost.length > 20 ? ', ...' : ''}` : ''}`);
    console.log(`faces vs collections ${reconciliation.stored} stored; ${reconciliation.missing} named in answers but not stored; ${reconciliation.unreported} stored but named in no answer`);
    printMemory(memory);
    const clean = failedRequests.length === 0 && run.lost.length === 0 && reconciliation.missing === 0 && reconciliation.unreported === 0;
    console.log(clean ? '\nGoal met: 0 errors, 0 lost images, answers and collections agree.' : '\nGoal NOT met: see the errors and lost images above.');
    process.exitCode = clean ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await stack.close();
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
