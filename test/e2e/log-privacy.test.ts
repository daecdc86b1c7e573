// `npm start` as a user runs it, with the real face model, every line it writes captured during full uploads:
// no token (raw, Bearer, unknown or revoked), no token hash, and none of the face attributes (age, gender,
// emotions) may appear in any of them. The dev token is printed once in the start banner, by design.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTenantCommand } from '../../scripts/tenant.js';
import { fixture } from './support/fixtures.js';
import { createTenant } from './support/tenants.js';

const DEV_TOKEN = 'log-privacy-dev-token-5b1f9c2e7d';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let dataDir: string;
let child: ChildProcess;
let output = '';
let url: string;

async function waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output);
    if (match) return match;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`No ${pattern} in the output:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'facegate-log-privacy-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, DEV_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  url = (await waitFor(/facegate is running at (http:\/\/127\.0\.0\.1:\d+)/, 180_000))[1]!;
}, 200_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function upload(authorization: string, photos: string[]): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const name of photos) form.append('inputImages[]', new Blob([await fixture(name)], { type: 'image/jpeg' }), name);
  form.append('collection', 'log-privacy');
  const response = await fetch(`${url}/ia/faces/bulkUpload`, { method: 'POST', headers: { Authorization: authorization }, body: form, signal: AbortSignal.timeout(120_000) });
  return { status: response.status, body: await response.json() };
}

/** The attribute values of every face in the answers, as they would appear if a log line serialized them. */
function attributeTexts(answers: any[]): string[] {
  const texts = new Set<string>(['AgeRange', 'Gender', 'Emotions']);
  for (const answer of answers) {
    for (const entry of answer.data) {
      for (const { FaceDetail } of entry.FaceRecords ?? []) {
        texts.add(JSON.stringify(FaceDetail.AgeRange));
        texts.add(`"${FaceDetail.Gender.Value}"`);
        for (const emotion of FaceDetail.Emotions) texts.add(`"${emotion.Type}"`);
      }
    }
  }
  return [...texts];
}

describe('the logs of npm start during full uploads', () => {
  it('hold no token, no token hash and no face attribute', async () => {
    const tenant = await createTenant(dataDir, 'log-privacy');
    const revoked = await createTenant(dataDir, 'revoked-tenant');
    expect(await runTenantCommand(['revoke', 'revoked-tenant'], { env: { DATA_DIR: dataDir }, out: () => undefined, err: () => undefined })).toBe(0);
    const bannerEnd = output.length;

    const answers = [
      await upload(tenant.token, ['group_2_faces.jpg', 'single_face_frontal.jpg']),
      await upload(`Bearer ${DEV_TOKEN}`, ['match_person1_a.jpg']),
    ];
    for (const answer of answers) expect(answer.status).toBe(201);
    expect((await upload('an-unknown-token-9d8e7f', ['bw_photo.jpeg'])).status).toBe(401);
    expect((await upload(revoked.token, ['bw_photo.jpeg'])).status).toBe(403);

    const logs = output.slice(bannerEnd);
    // The lines are there to be checked: the gateway's, the handlers' and the face service's.
    expect(logs).toMatch(/"event":"bulkUpload"/);
    expect(logs).toMatch(/"decision":"unauthorized"/);
    expect(logs).toMatch(/IndexFaces 200/);
    for (const secret of [tenant.token, revoked.token, DEV_TOKEN, 'an-unknown-token-9d8e7f']) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(sha256(secret));
    }
    const attributes = attributeTexts(answers.map((answer) => answer.body));
    expect(attributes.length).toBeGreaterThan(5);
    for (const text of attributes) expect(logs, text).not.toContain(text);
    // Before the uploads, the banner printed the dev token for the user, and nothing else did.
    expect(output.slice(0, bannerEnd).split('\n').filter((line) => line.includes(DEV_TOKEN)).every((line) => /Dev tenant token:|curl /.test(line))).toBe(true);
  }, 240_000);
});
