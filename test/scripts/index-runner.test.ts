// The indexer's flow with the network replaced by a scripted API: retries, limits on requests in flight, stops,
// interruptions and the report. Real files in a temp folder; no server.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportRecord } from '../../scripts/indexer/report.js';
import { runIndexer, type IndexerDependencies, type IndexerRun } from '../../scripts/indexer/run-indexer.js';
import type { BatchAnswer, ImageAnswer, PhotoToSend } from '../../scripts/indexer/upload-request.js';

const JPEG_START = [0xff, 0xd8, 0xff, 0xe0];

let folder: string;
let reportPath: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'facegate-runner-'));
  reportPath = join(folder, 'report.jsonl');
});
afterEach(() => rm(folder, { recursive: true, force: true }));

async function photos(count: number, size = 100): Promise<string> {
  const dir = join(folder, 'photos');
  await mkdir(dir, { recursive: true });
  for (let index = 0; index < count; index += 1) {
    const name = `photo-${String(index).padStart(2, '0')}.jpg`;
    await writeFile(join(dir, name), Buffer.concat([Buffer.from(JPEG_START), Buffer.alloc(size - 4, index)]));
  }
  return dir;
}

const indexed = (photo: PhotoToSend): ImageAnswer => ({
  FaceRecords: [{ Face: { FaceId: `face-of-${photo.name}`, ExternalImageId: photo.name } }],
  UnindexedFaces: [],
});
const failed = (code: string): ImageAnswer => ({ Error: { Code: code, Message: `${code} happened` } });
const answered = (data: ImageAnswer[], status = 201, retryAfterMs?: number): BatchAnswer => ({ kind: 'answered', status, message: 'm', data, retryAfterMs });

interface Harness {
  deps: IndexerDependencies;
  sent: string[][];
  sleeps: number[];
  lines: string[];
  maxInFlight: number;
}

function harness(answer: (photos: readonly PhotoToSend[], call: number) => BatchAnswer | Promise<BatchAnswer>): Harness {
  const h: Harness = { sent: [], sleeps: [], lines: [], maxInFlight: 0, deps: undefined as unknown as IndexerDependencies };
  let inFlight = 0;
  h.deps = {
    async send(batch) {
      h.sent.push(batch.map((photo) => photo.name));
      inFlight += 1;
      h.maxInFlight = Math.max(h.maxInFlight, inFlight);
      // Let the other workers start before this answer comes back.
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return answer(batch, h.sent.length);
    },
    sleep: async (ms) => void h.sleeps.push(ms),
    random: () => 0.5,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    out: (line) => h.lines.push(line),
    progress: { isTTY: false, write: () => undefined },
  };
  return h;
}

function runOf(inputs: string[], overrides: Partial<IndexerRun> = {}): IndexerRun {
  return {
    inputs,
    workingDirectory: '/elsewhere',
    collection: 'team',
    url: 'http://api.test',
    reportPath,
    concurrency: 2,
    batchSize: 50,
    retryPolicy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000 },
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function reportLines(): Promise<ReportRecord[]> {
  return (await readFile(reportPath, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as ReportRecord);
}

describe('sending photos', () => {
  it('records every photo with its faces and FaceIds, and exits 0', async () => {
    const dir = await photos(3);
    const h = harness((batch) => answered(batch.map(indexed)));
    const outcome = await runIndexer(runOf([dir]), h.deps);
    expect(outcome).toMatchObject({ exitCode: 0, indexed: 3, faces: 3, failed: 0 });
    const lines = await reportLines();
    expect(lines.map((line) => [line.path, line.status, line.faces, line.faceIds])).toEqual(
      ['photo-00.jpg', 'photo-01.jpg', 'photo-02.jpg'].map((name) => [join(dir, name), 'indexed', 1, [`face-of-${name}`]]),
    );
    expect(lines[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never has more requests in flight than asked', async () => {
    const dir = await photos(12);
    const h = harness((batch) => answered(batch.map(indexed)));
    await runIndexer(runOf([dir], { batchSize: 1, concurrency: 3 }), h.deps);
    expect(h.sent).toHaveLength(12);
    expect(h.maxInFlight).toBe(3);
  });

  it('reports a photo too large for one request without sending it, and exits 1', async () => {
    const dir = await photos(1);
    await writeFile(join(dir, 'huge.jpg'), Buffer.concat([Buffer.from(JPEG_START), Buffer.alloc(4_500_000)]));
    const h = harness((batch) => answered(batch.map(indexed)));
    const outcome = await runIndexer(runOf([dir]), h.deps);
    expect(h.sent).toEqual([['photo-00.jpg']]);
    expect(outcome).toMatchObject({ exitCode: 1, indexed: 1, failed: 1 });
    const huge = (await reportLines()).find((line) => line.path.endsWith('huge.jpg'))!;
    expect(huge.error).toEqual({ code: 'TOO_LARGE_FOR_ONE_REQUEST', message: expect.stringMatching(/^4\.5 MB, and one request carries 4\.4 MB at most/) });
  });

  it('reports files that are not JPEG or PNG as skipped, with the reason, without failing the run', async () => {
    const dir = await photos(1);
    await writeFile(join(dir, 'IMG_0001.HEIC'), Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic')]));
    const h = harness((batch) => answered(batch.map(indexed)));
    const outcome = await runIndexer(runOf([dir]), h.deps);
    expect(outcome).toMatchObject({ exitCode: 0, indexed: 1, skipped: 1 });
    const heic = (await reportLines()).find((line) => line.path.endsWith('.HEIC'))!;
    expect(heic).toMatchObject({ status: 'skipped', error: { code: 'NOT_JPEG_OR_PNG', message: expect.stringMatching(/^HEIC/) } });
    expect(h.lines).toContain(`  ${join(dir, 'IMG_0001.HEIC')}: NOT_JPEG_OR_PNG: ${heic.error!.message}`);
  });
});

describe('retrying', () => {
  it('sends again only the photos that failed with a retryable code, and records the attempts', async () => {
    const dir = await photos(3);
    const h = harness((batch, call) => answered(batch.map((photo) => (call === 1 && photo.name === 'photo-01.jpg' ? failed('THROTTLED') : indexed(photo)))));
    const outcome = await runIndexer(runOf([dir]), h.deps);
    expect(h.sent).toEqual([['photo-00.jpg', 'photo-01.jpg', 'photo-02.jpg'], ['photo-01.jpg']]);
    expect(outcome).toMatchObject({ exitCode: 0, indexed: 3 });
    expect((await reportLines()).find((line) => line.path.endsWith('photo-01.jpg'))!.attempts).toBe(2);
  });

  it("waits at least the server's Retry-After before retrying a refused request", async () => {
    const dir = await photos(2);
    const h = harness((batch, call) =>
      call === 1 ? { kind: 'refused', status: 503, code: 'SERVICE_UNAVAILABLE', message: 'busy', retryAfterMs: 5000 } : answered(batch.map(indexed)),
    );
    const outcome = await runIndexer(runOf([dir]), h.deps);
    expect(h.sleeps).toEqual([5000]);
    expect(outcome).toMatchObject({ exitCode: 0, indexed: 2 });
  });

  it('backs off longer each time the API cannot be reached, then gives up with the reason', async () => {
    const dir = await photos(1);
    const h = harness(() => ({ kind: 'unreachable', message: 'http://api.test/ia/faces/bulkUpload could not be reached (ECONNREFUSED)' }));
    const outcome = await runIndexer(runOf([dir]), h.deps);
    expect(h.sent).toHaveLength(3);
    expect(h.sleeps).toEqual([750, 1500]);
    expect(outcome).toMatchObject({ exitCode: 1, failed: 1 });
    expect((await reportLines())[0]).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'API_UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') } });
  });

  it('does not retry what the API says is the photo’s own fault', async () => {
    const dir = await photos(1);
    const h = harness(() => answered([failed('CORRUPT_IMAGE')], 422));
    const outcome = await runIndexer(runOf([dir]), h.deps);
    expect(h.sent).toHaveLength(1);
    expect(outcome).toMatchObject({ exitCode: 1, failed: 1 });
    expect((await reportLines())[0]!.error).toEqual({ code: 'CORRUPT_IMAGE', message: 'CORRUPT_IMAGE happened' });
  });

  it('halves a request the API finds too large', async () => {
    const dir = await photos(4);
    const h = harness((batch) => (batch.length > 1 ? { kind: 'refused', status: 413, code: 'REQUEST_TOO_LARGE', message: 'too big' } : answered(batch.map(indexed))));
    const outcome = await runIndexer(runOf([dir], { concurrency: 1 }), h.deps);
    expect(h.sent.map((batch) => batch.length)).toEqual([4, 2, 1, 1, 2, 1, 1]);
    expect(outcome).toMatchObject({ exitCode: 0, indexed: 4 });
  });
});

describe('stopping', () => {
  it('stops at a refused token, says why, and leaves the unsent photos out of the report', async () => {
    const dir = await photos(5);
    const h = harness(() => ({ kind: 'refused', status: 401, code: 'UNAUTHORIZED', message: 'The Authorization header is missing or its token is unknown.' }));
    const outcome = await runIndexer(runOf([dir], { batchSize: 1, concurrency: 1 }), h.deps);
    expect(h.sent).toHaveLength(1);
    expect(outcome).toMatchObject({ exitCode: 1, notSent: 5 });
    expect(h.lines).toContain('The API refused the request (401 UNAUTHORIZED): The Authorization header is missing or its token is unknown.');
    await expect(readFile(reportPath, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('when interrupted, records the answers already on their way, then resumes where it stopped', async () => {
    const dir = await photos(6);
    const interruption = new AbortController();
    const first = harness((batch, call) => {
      if (call === 2) interruption.abort();
      return answered(batch.map(indexed));
    });
    const stopped = await runIndexer(runOf([dir], { batchSize: 1, concurrency: 1, signal: interruption.signal }), first.deps);
    expect(stopped).toMatchObject({ exitCode: 130, indexed: 2, notSent: 4 });
    expect(first.lines).toContain('Run the same command again to go on: the photos the report shows as indexed are skipped.');

    const second = harness((batch) => answered(batch.map(indexed)));
    const resumed = await runIndexer(runOf([dir], { batchSize: 1 }), second.deps);
    expect(second.sent.flat()).toEqual(['photo-02.jpg', 'photo-03.jpg', 'photo-04.jpg', 'photo-05.jpg']);
    expect(resumed).toMatchObject({ exitCode: 0, indexed: 4, alreadyIndexed: 2 });
    expect((await reportLines()).map((line) => line.path.slice(-12))).toEqual(['photo-00.jpg', 'photo-01.jpg', 'photo-02.jpg', 'photo-03.jpg', 'photo-04.jpg', 'photo-05.jpg']);
  });

  it('sends a photo again when its content changed since the report indexed it', async () => {
    const dir = await photos(2);
    await runIndexer(runOf([dir]), harness((batch) => answered(batch.map(indexed))).deps);
    await writeFile(join(dir, 'photo-01.jpg'), Buffer.concat([Buffer.from(JPEG_START), Buffer.from('edited')]));
    const again = harness((batch) => answered(batch.map(indexed)));
    await runIndexer(runOf([dir]), again.deps);
    expect(again.sent).toEqual([['photo-01.jpg']]);
  });
});
