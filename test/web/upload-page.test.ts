// The upload page served by `npm start`, driven in Debian's Chromium through playwright-core: a person enters the
// token, picks real photos and sees each one with its faces drawn where the API says they are, and the reason for
// every photo that failed. Screenshots go to a temp dir, and to docs/screenshots/ (for the README) with
// UPDATE_SCREENSHOTS=1.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHumanEngine } from '../../local/face-service/engine/human-engine.js';
import type { FaceEngine } from '../../local/face-service/engine/types.js';
import type { LocalStack } from '../../local/stack.js';
import { startTemporaryStack, type TemporaryStack } from '../support/temporary-stack.js';
import { CONTENT_SECURITY_POLICY } from '../../local/web/static-site.js';
import { runTenantCommand } from '../../scripts/tenant.js';
import { FACES_DIR } from '../e2e/support/fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS_DIR = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
/** A test run leaves the tracked README screenshots alone unless asked to refresh them. */
const UPDATE_README_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const HOSTILE_NAME = '<img src=x onerror="document.body.dataset.pwned=1">.jpg';

let engine: FaceEngine;
let dataDir: string;
let outputDir: string;
let stack: LocalStack;
let running: TemporaryStack;
let browser: BrowserContext;

beforeAll(async () => {
  engine = await createHumanEngine();
  outputDir = await mkdtemp(join(tmpdir(), 'facegate-web-output-'));
  running = await startTemporaryStack('web', { faceEngine: engine });
  ({ stack, dataDir } = running);
  browser = await chromium.launchPersistentContext(join(outputDir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  // The screenshots stay in outputDir; the browser profile is only bulk.
  if (outputDir) await rm(join(outputDir, 'chromium-profile'), { recursive: true, force: true });
  await running?.stop();
  await engine?.close();
});

interface UploadedAnswer {
  status: number;
  body: { message: string; data?: Array<Record<string, any>>; error?: { code: string } };
}

async function openPage(viewport: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  await page.goto(stack.url);
  await page.waitForSelector('body[data-state="ready"]');
  (page as Page & { problems: string[] }).problems = problems;
  return page;
}

const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;

async function fixtureFile(name: string, as: string, mimeType: string) {
  return { name: as, mimeType, buffer: await readFile(join(FACES_DIR, name)) };
}

/** Fills the form, picks the files and uploads; returns every API answer the page received. */
async function upload(
  page: Page,
  token: string,
  files: Array<{ name: string; mimeType: string; buffer: Buffer }>,
  collection = 'team-photos',
): Promise<UploadedAnswer[]> {
  const answers: Promise<UploadedAnswer>[] = [];
  page.on('response', (response) => {
    if (response.url().endsWith('/ia/faces/bulkUpload')) answers.push(response.json().then((body) => ({ status: response.status(), body })));
  });
  await page.fill('#collection', collection);
  await page.fill('#token', token);
  await page.setInputFiles('#photos', files);
  await page.click('#upload');
  await page.waitForSelector('body[data-state="done"]', { timeout: 120_000 });
  return Promise.all(answers);
}

function card(page: Page, fileName: string) {
  return page.locator('article.photo').filter({ has: page.locator('.file-name', { hasText: fileName }) });
}

/** Where each drawn box sits, as ratios of the drawn photo: what the API's BoundingBox says it should be. */
async function drawnBoxes(page: Page, fileName: string): Promise<Array<{ Left: number; Top: number; Width: number; Height: number }>> {
  return card(page, fileName).evaluate((article) => {
    const photo = article.querySelector('canvas')!.getBoundingClientRect();
    return [...article.querySelectorAll('.face.indexed rect')].map((rect) => {
      const box = rect.getBoundingClientRect();
      return {
        Left: (box.left - photo.left) / photo.width,
        Top: (box.top - photo.top) / photo.height,
        Width: box.width / photo.width,
        Height: box.height / photo.height,
      };
    });
  });
}

function expectSameBoxes(drawn: Array<Record<string, number>>, records: Array<Record<string, any>>, photoWidthPx: number): void {
  expect(drawn).toHaveLength(records.length);
  // Within two pixels of the displayed photo.
  const tolerance = 2 / photoWidthPx;
  records.forEach((record, index) => {
    for (const side of ['Left', 'Top', 'Width', 'Height'] as const) {
      expect(Math.abs(drawn[index]![side]! - record.FaceDetail.BoundingBox[side])).toBeLessThan(tolerance);
    }
  });
}

async function saveScreenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ fullPage: true });
  await writeFile(join(outputDir, name), image);
  if (!UPDATE_README_SCREENSHOTS) return;
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  await writeFile(join(SCREENSHOTS_DIR, name), image);
}

describe('the page at /', () => {
  it('is served with its content type and a content security policy that allows only its own origin', async () => {
    const response = await fetch(`${stack.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|blob:|data:|https?:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await fetch(`${stack.url}/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('leaves every other path to the API, which answers as API Gateway does', async () => {
    const response = await fetch(`${stack.url}/no-such-page`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});

describe('uploading photos from the page on a desktop screen', () => {
  let page: Page;
  let answers: UploadedAnswer[];

  beforeAll(async () => {
    page = await openPage(DESKTOP);
    answers = await upload(page, stack.token, [
      await fixtureFile('group_2_faces.jpg', 'group_2_faces.jpg', 'image/jpeg'),
      await fixtureFile('single_face_frontal.jpg', HOSTILE_NAME, 'image/jpeg'),
      await fixtureFile('webp_format.webp', 'portrait.webp', 'image/webp'),
      await fixtureFile('invalid/corrupted.png', 'broken.png', 'image/png'),
    ]);
    await saveScreenshot(page, 'upload-page-desktop.png');
  }, 180_000);

  it('sends the photos in one request and gets one answer per photo', () => {
    expect(answers).toHaveLength(1);
    expect(answers[0]!.status).toBe(201);
    expect(answers[0]!.body.data).toHaveLength(4);
  });

  it('draws one box per indexed face, where the API says each face is', async () => {
    const [group, single] = answers[0]!.body.data!;
    expect(group!.FaceRecords).toHaveLength(2);
    expect(single!.FaceRecords).toHaveLength(1);
    const width = await card(page, 'group_2_faces.jpg').locator('canvas').evaluate((canvas) => canvas.getBoundingClientRect().width);
    expectSameBoxes(await drawnBoxes(page, 'group_2_faces.jpg'), group!.FaceRecords, width);
    expectSameBoxes(await drawnBoxes(page, HOSTILE_NAME), single!.FaceRecords, width);
    await expect(card(page, 'group_2_faces.jpg').locator('.outcome').textContent()).resolves.toBe('2 faces indexed');
  });

  it('marks the eyes, the nose and the mouth corners of every face', async () => {
    const types = await card(page, 'group_2_faces.jpg')
      .locator('.face.indexed')
      .evaluateAll((faces) => faces.map((face) => [...face.querySelectorAll('.landmark')].map((dot) => dot.getAttribute('data-type')).sort()));
    expect(types).toEqual([
      ['eyeLeft', 'eyeRight', 'mouthLeft', 'mouthRight', 'nose'],
      ['eyeLeft', 'eyeRight', 'mouthLeft', 'mouthRight', 'nose'],
    ]);
  });

  it('lists the age range, gender, emotion, smile and eyes of each face', async () => {
    const detail = answers[0]!.body.data![1]!.FaceRecords[0].FaceDetail;
    const line = await card(page, HOSTILE_NAME).locator('.face-attributes').textContent();
    expect(line).toContain(`age ${detail.AgeRange.Low}–${detail.AgeRange.High}`);
    expect(line).toContain(detail.Gender.Value.toLowerCase());
    expect(line).toMatch(/(happy|sad|angry|confused|disgusted|surprised|calm|fear|unknown) \d+%/);
    expect(line).toContain(detail.Smile.Value ? 'smiling' : 'not smiling');
    expect(line).toContain(detail.EyesOpen.Value ? 'eyes open' : 'eyes closed');
  });

  it("shows each failed photo with the API's error code and message", async () => {
    const [, , webp, corrupt] = answers[0]!.body.data!;
    await expect(card(page, 'portrait.webp').locator('.outcome.error').textContent()).resolves.toBe(`UNSUPPORTED_IMAGE_FORMAT: ${webp!.Error.Message}`);
    await expect(card(page, 'broken.png').locator('.outcome.error').textContent()).resolves.toBe(`CORRUPT_IMAGE: ${corrupt!.Error.Message}`);
    await expect(page.locator('#summary').textContent()).resolves.toMatch(/^2 of 4 photos indexed, 3 faces found, 2 failed\./);
  });

  it('shows a hostile file name as text, never as markup', async () => {
    await expect(card(page, HOSTILE_NAME).locator('.file-name').textContent()).resolves.toBe(HOSTILE_NAME);
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.evaluate('document.body.dataset.pwned')).resolves.toBeUndefined();
    expect(problemsOf(page)).toEqual([]);
  });

  it('takes photos dropped on the drop zone', async () => {
    const dropped = await openPage(DESKTOP);
    const base64 = (await readFile(join(FACES_DIR, 'single_face_frontal.jpg'))).toString('base64');
    // Built in the page: a drop carries a DataTransfer of File objects, which only exist there.
    const dataTransfer = await dropped.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob('${base64}'), (char) => char.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
      return transfer;
    })()`);
    await dropped.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
    await expect(dropped.locator('#selection').textContent()).resolves.toBe('1 photo chosen (43 KB)');
    await dropped.click('#upload');
    await dropped.waitForSelector('body[data-state="done"]');
    await expect(card(dropped, 'dropped.jpg').locator('.outcome').textContent()).resolves.toBe('1 face indexed');
  });

  it('remembers the token in the browser', async () => {
    await page.reload();
    await expect(page.inputValue('#token')).resolves.toBe(stack.token);
  });
});

describe('uploading photos from the page on a phone-sized screen', () => {
  it('fits the screen and draws the faces of a group photo', async () => {
    const page = await openPage(PHONE);
    const [answer] = await upload(page, stack.token, [
      await fixtureFile('group_6_faces.jpg', 'cast.jpg', 'image/jpeg'),
      await fixtureFile('single_face_frontal.jpg', 'speaker.jpg', 'image/jpeg'),
    ]);
    const records = answer!.body.data![0]!.FaceRecords;
    expect(records.length).toBeGreaterThanOrEqual(5);
    const width = await card(page, 'cast.jpg').locator('canvas').evaluate((canvas) => canvas.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expectSameBoxes(await drawnBoxes(page, 'cast.jpg'), records, width);
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(PHONE.width);
    expect(problemsOf(page)).toEqual([]);
    await saveScreenshot(page, 'upload-page-phone.png');
  }, 180_000);
});

/** A file that claims to be a JPEG, of the given size: the API answers it CORRUPT_IMAGE. */
const bulky = (name: string, bytes: number) => ({ name, mimeType: 'image/jpeg', buffer: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(bytes - 4, 1)]) });

describe('a selection larger than one request', () => {
  it('is sent in several requests within the size limit, and answered photo by photo in order', async () => {
    const page = await openPage(DESKTOP);
    const answers = await upload(page, stack.token, [
      bulky('scan-1.jpg', 2_500_000),
      bulky('scan-2.jpg', 2_500_000),
      await fixtureFile('single_face_frontal.jpg', 'speaker.jpg', 'image/jpeg'),
    ], 'scans');
    expect(answers.map((answer) => answer.body.data!.map((entry) => entry.ExternalImageId ?? entry.FaceRecords[0].Face.ExternalImageId))).toEqual([
      ['scan-1.jpg'],
      ['scan-2.jpg', 'speaker.jpg'],
    ]);
    await expect(page.locator('article.photo .outcome').allTextContents()).resolves.toEqual([
      `CORRUPT_IMAGE: ${answers[0]!.body.data![0]!.Error.Message}`,
      `CORRUPT_IMAGE: ${answers[1]!.body.data![0]!.Error.Message}`,
      '1 face indexed',
    ]);
  });

  it('stops sending once the token is refused', async () => {
    const page = await openPage(DESKTOP);
    const answers = await upload(page, 'not-a-token-of-this-api', [bulky('scan-1.jpg', 2_500_000), bulky('scan-2.jpg', 2_500_000)]);
    expect(answers.map((answer) => answer.status)).toEqual([401]);
    await expect(card(page, 'scan-2.jpg').locator('.outcome.error').textContent()).resolves.toBe('Not sent: an earlier request was refused (see above)');
  });
});

describe('requests the API refuses', () => {
  it('says the token was refused (401) and that no photo was indexed', async () => {
    const page = await openPage(DESKTOP);
    const [answer] = await upload(page, 'not-a-token-of-this-api', [await fixtureFile('single_face_frontal.jpg', 'speaker.jpg', 'image/jpeg')]);
    expect(answer!.status).toBe(401);
    await expect(page.locator('.request-error').allTextContents()).resolves.toEqual([`401 UNAUTHORIZED: ${answer!.body.message}`]);
    await expect(card(page, 'speaker.jpg').locator('.outcome.error').textContent()).resolves.toBe('Not indexed: the request was refused (401 UNAUTHORIZED, see above)');
    await saveScreenshot(page, 'upload-page-refused.png');
  });

  it('says the token was revoked (403)', async () => {
    const out: string[] = [];
    const io = { env: { DATA_DIR: dataDir }, out: (line: string) => out.push(line), err: () => undefined };
    expect(await runTenantCommand(['create', 'leaver'], io)).toBe(0);
    const token = /Token, shown only this once: (\S+)/.exec(out.join('\n'))![1]!;
    expect(await runTenantCommand(['revoke', 'leaver'], io)).toBe(0);
    const page = await openPage(DESKTOP);
    const [answer] = await upload(page, token, [await fixtureFile('single_face_frontal.jpg', 'speaker.jpg', 'image/jpeg')]);
    expect(answer!.status).toBe(403);
    await expect(page.locator('.request-error').allTextContents()).resolves.toEqual([`403 FORBIDDEN: ${answer!.body.message}`]);
  });

  it('does not send a photo larger than one request carries, and says why', async () => {
    const page = await openPage(DESKTOP);
    const huge = { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(4_500_000, 0xff) };
    const answers = await upload(page, stack.token, [huge, await fixtureFile('single_face_frontal.jpg', 'speaker.jpg', 'image/jpeg')]);
    expect(answers.map((answer) => answer.body.data?.length)).toEqual([1]);
    await expect(card(page, 'huge.jpg').locator('.outcome.error').textContent()).resolves.toMatch(/^Not sent: 4\.3 MB is more than one request carries/);
    await expect(card(page, 'speaker.jpg').locator('.outcome').textContent()).resolves.toBe('1 face indexed');
  });
});
