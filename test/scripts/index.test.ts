// `npm run index` against the local stack: real photos, the real handlers and face model, the report checked
// against the faces the collection really holds; and a run stopped with Ctrl+C, then run again.
import { ListCollectionsCommand, ListFacesCommand, RekognitionClient } from '@aws-sdk/client-rekognition';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHumanEngine } from '../../local/face-service/engine/human-engine.js';
import type { FaceEngine } from '../../local/face-service/engine/types.js';
import type { LocalStack } from '../../local/stack.js';
import { startTemporaryStack, type TemporaryStack } from '../support/temporary-stack.js';
import { runIndexCommand } from '../../scripts/index.js';
import type { ReportRecord } from '../../scripts/indexer/report.js';
import { runIndexer } from '../../scripts/indexer/run-indexer.js';
import { createBatchSender, type BatchAnswer } from '../../scripts/indexer/upload-request.js';
import { FACES_DIR } from '../e2e/support/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');

let engine: FaceEngine;
let dataDir: string;
let workDir: string;
let stack: LocalStack;
let running: TemporaryStack;

beforeAll(async () => {
  engine = await createHumanEngine();
  workDir = await mkdtemp(join(tmpdir(), 'facegate-index-work-'));
  running = await startTemporaryStack('index', { faceEngine: engine });
  ({ stack, dataDir } = running);
}, 180_000);

afterAll(async () => {
  await running?.stop();
  await engine?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function photoFolder(name: string, files: Record<string, string>): Promise<string> {
  const folder = join(workDir, name);
  for (const [target, source] of Object.entries(files)) {
    await mkdir(join(folder, target, '..'), { recursive: true });
    await copyFile(join(FACES_DIR, source), join(folder, target));
  }
  return folder;
}

async function run(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runIndexCommand(argv, {
    env,
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    progress: { isTTY: false, write: () => undefined },
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

async function report(path: string): Promise<ReportRecord[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ReportRecord);
}

/** FaceIds the collection named `name` (by the client) holds, read from the face service. */
async function facesInCollection(name: string): Promise<string[]> {
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = stack.environment;
  const rekognition = new RekognitionClient({
    region: AWS_REGION!,
    endpoint: stack.endpoints.rekognition,
    credentials: { accessKeyId: AWS_ACCESS_KEY_ID!, secretAccessKey: AWS_SECRET_ACCESS_KEY! },
  });
  try {
    const ids = (await rekognition.send(new ListCollectionsCommand({}))).CollectionIds ?? [];
    const collectionId = ids.find((id) => id.endsWith(`-${name}`));
    if (!collectionId) return [];
    const faces = (await rekognition.send(new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096 }))).Faces ?? [];
    return faces.map((face) => face.FaceId!).sort();
  } finally {
    rekognition.destroy();
  }
}

describe('indexing a folder into the local stack', () => {
  it('uses the stack and dev token found in DATA_DIR, indexes every photo and reports each one', async () => {
    const folder = await photoFolder('album', {
      'group_2_faces.jpg': 'group_2_faces.jpg',
      'speaker.jpg': 'single_face_frontal.jpg',
      'landscape.jpg': 'no_face_landscape.jpg',
      'trip/portrait.png': 'png_rgba.png',
      'trip/broken.jpg': 'invalid/truncated.jpg',
      'trip/einstein.webp': 'webp_format.webp',
    });
    await writeFile(join(folder, 'IMG_0001.HEIC'), Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheicmif1heic')]));
    const reportPath = join(workDir, 'album.jsonl');

    const { code, out } = await run([folder, '--collection', 'album', '--report', reportPath], { DATA_DIR: dataDir });

    expect(code).toBe(1);
    const records = await report(reportPath);
    const byName = new Map(records.map((record) => [record.path.slice(folder.length + 1), record]));
    expect([...byName.keys()].sort()).toEqual(['IMG_0001.HEIC', 'group_2_faces.jpg', 'landscape.jpg', 'speaker.jpg', 'trip/broken.jpg', 'trip/einstein.webp', 'trip/portrait.png']);
    expect(byName.get('group_2_faces.jpg')).toMatchObject({ status: 'indexed', faces: 2, externalImageId: 'group_2_faces.jpg', collection: 'album' });
    expect(byName.get('speaker.jpg')).toMatchObject({ status: 'indexed', faces: 1 });
    expect(byName.get('landscape.jpg')).toMatchObject({ status: 'indexed', faces: 0, faceIds: [] });
    expect(byName.get('trip/portrait.png')).toMatchObject({ status: 'indexed', faces: 1 });
    expect(byName.get('trip/broken.jpg')).toMatchObject({ status: 'failed', error: { code: 'CORRUPT_IMAGE' } });
    expect(byName.get('trip/einstein.webp')).toMatchObject({ status: 'skipped', error: { code: 'NOT_JPEG_OR_PNG', message: expect.stringMatching(/^WebP/) } });
    expect(byName.get('IMG_0001.HEIC')).toMatchObject({ status: 'skipped', error: { code: 'NOT_JPEG_OR_PNG', message: expect.stringMatching(/^HEIC/) } });
    expect(byName.get('speaker.jpg')!.sha256).toBe('0ac99cb0b0a2478cd9aeb3754a8370db8d6fe9abd99fa538fece86ae17ed49e8');

    const reportedFaceIds = records.flatMap((record) => record.faceIds).sort();
    expect(reportedFaceIds).toHaveLength(4);
    await expect(facesInCollection('album')).resolves.toEqual(reportedFaceIds);
    expect(out).toContain('Failed:');
    expect(out.find((line) => line.startsWith('Done in'))).toMatch(/4 photos indexed \(4 faces\), 1 failed, 2 skipped, 0 already indexed\.$/);
  });

  it('stops at once with the reason when the token is refused', async () => {
    await photoFolder('refused', { 'speaker.jpg': 'single_face_frontal.jpg' });
    // Relative paths are the caller's, which `npm run` passes as INIT_CWD.
    const argv = ['refused', '--collection', 'album', '--url', stack.url, '--token', 'not-a-valid-token'];
    const { code, out } = await run(argv, { INIT_CWD: workDir });
    expect(code).toBe(1);
    expect(out[1]).toBe('1 file: 1 photo to send in 1 request, 0 already indexed, 0 not JPEG/PNG.');
    expect(out.at(-1)).toBe(`Report: ${join(workDir, 'facegate-index-album.jsonl')}`);
    expect(out).toContain(
      'The API refused the request (401 UNAUTHORIZED): The Authorization header is missing or its token is unknown. Send the token you were given as "Authorization: <token>" (or "Authorization: Bearer <token>").',
    );
  });

  it('says how to start the stack when none runs on DATA_DIR', async () => {
    const { code, err } = await run([workDir, '--collection', 'album'], { DATA_DIR: join(workDir, 'no-stack-here') });
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^No local stack is running on .*no-stack-here: start it with `npm start` \(in another terminal\), or pass --url and --token\./);
  });
});

describe('retrying against the local stack', () => {
  it('sends again the photo the API could not store, and records it indexed on the second attempt', async () => {
    const folder = await photoFolder('flaky', { 'flaky.jpg': 'match_person2.jpg', 'steady.jpg': 'bw_photo.jpeg' });
    const reportPath = join(workDir, 'flaky.jsonl');
    stack.faults.plan = { s3: { failWrites: { fileName: 'flaky.jpg' } } };
    const realSend = createBatchSender({ url: stack.url, token: stack.token, collection: 'flaky' });
    const firstAnswers: BatchAnswer[] = [];
    const out: string[] = [];
    const outcome = await runIndexer(
      {
        inputs: [folder],
        workingDirectory: workDir,
        collection: 'flaky',
        url: stack.url,
        reportPath,
        concurrency: 1,
        batchSize: 50,
        retryPolicy: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 1000 },
        signal: new AbortController().signal,
      },
      {
        // S3 recovers once the first answer is in: the retry must then succeed.
        send: async (photos) => {
          const answer = await realSend(photos);
          if (firstAnswers.push(answer) === 1) stack.faults.plan = {};
          return answer;
        },
        sleep: (ms) => delay(ms),
        random: Math.random,
        now: Date.now,
        out: (line) => out.push(line),
        progress: { isTTY: false, write: () => undefined },
      },
    );

    expect(firstAnswers[0]).toMatchObject({ kind: 'answered', status: 201, data: [{ Error: { Code: 'STORAGE_UNAVAILABLE' } }, { FaceRecords: [{}] }] });
    expect(outcome).toMatchObject({ exitCode: 0, indexed: 2, failed: 0 });
    const records = await report(reportPath);
    expect(records.map((record) => [record.path.slice(folder.length + 1), record.status, record.attempts])).toEqual([
      ['steady.jpg', 'indexed', 1],
      ['flaky.jpg', 'indexed', 2],
    ]);
    await expect(facesInCollection('flaky')).resolves.toEqual(records.flatMap((record) => record.faceIds).sort());
  });
});

describe('a run interrupted with Ctrl+C', () => {
  it('records what was indexed before it stopped, and the next run sends only the rest', async () => {
    const folder = await photoFolder('resume', {
      '1.jpg': 'single_face_frontal.jpg',
      '2.jpg': 'match_person1_a.jpg',
      '3.jpg': 'match_person1_b.jpg',
      '4.jpg': 'match_person2.jpg',
      '5.jpg': 'group_2_faces.jpg',
      '6.jpeg': 'bw_photo.jpeg',
      '7.png': 'grayscale_face.png',
      '8.jpeg': 'profile_face.jpeg',
    });
    const reportPath = join(workDir, 'resume.jsonl');
    const argv = [folder, '--collection', 'resume', '--url', stack.url, '--token', stack.token, '--report', reportPath, '--batch-size', '1', '--concurrency', '1'];

    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'index.ts'), ...argv], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!(await readFile(reportPath, 'utf8').catch(() => '')).includes('\n')) await delay(20);
    child.kill('SIGINT');
    expect(await exited).toBe(130);

    const firstRun = await report(reportPath);
    expect(firstRun.length).toBeGreaterThan(0);
    expect(firstRun.length).toBeLessThan(8);
    expect(firstRun.every((record) => record.status === 'indexed')).toBe(true);
    expect(output.join('')).toContain('Run the same command again to go on');

    const { code, out } = await run(argv);
    expect(code).toBe(0);
    expect(out[1]).toMatch(new RegExp(`^8 files: ${8 - firstRun.length} photos? to send in ${8 - firstRun.length} requests?, ${firstRun.length} already indexed, 0 not JPEG/PNG\\.$`));
    const records = await report(reportPath);
    expect(records.map((record) => record.path).sort()).toEqual(['1.jpg', '2.jpg', '3.jpg', '4.jpg', '5.jpg', '6.jpeg', '7.png', '8.jpeg'].map((name) => join(folder, name)));
    expect(records.every((record) => record.status === 'indexed')).toBe(true);
    await expect(facesInCollection('resume')).resolves.toEqual(records.flatMap((record) => record.faceIds).sort());
  }, 120_000);
});
