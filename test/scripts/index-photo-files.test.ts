import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat, findFiles, MissingInputError, readHeader, sha256Of } from '../../scripts/indexer/photo-files.js';
import { FACES_DIR } from '../e2e/support/fixtures.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

describe('recognizing photo formats by content', () => {
  it('sends JPEG and PNG, whatever the file is called', async () => {
    expect(detectFormat(await readHeader(join(FACES_DIR, 'single_face_frontal.jpg')), 1)).toEqual({ kind: 'sendable', contentType: 'image/jpeg' });
    expect(detectFormat(await readHeader(join(FACES_DIR, 'ext_mismatch_png_as.jpg')), 1)).toEqual({ kind: 'sendable', contentType: 'image/png' });
  });

  it('skips HEIC with the reason and the fix', () => {
    const format = detectFormat(bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0]), 100);
    expect(format).toEqual({ kind: 'unsupported', reason: expect.stringMatching(/^HEIC\/HEIF photo .*convert it to JPEG/) });
  });

  it('names the other image formats it skips', async () => {
    expect(detectFormat(await readHeader(join(FACES_DIR, 'webp_format.webp')), 1)).toMatchObject({ reason: expect.stringMatching(/^WebP image/) });
    expect(detectFormat(bytes('GIF89a'), 10)).toMatchObject({ reason: expect.stringMatching(/^GIF image/) });
    expect(detectFormat(bytes([0, 0, 0, 0x1c], 'ftypavif'), 10)).toMatchObject({ reason: expect.stringMatching(/^AVIF image/) });
    expect(detectFormat(bytes('II*', [0]), 10)).toMatchObject({ reason: expect.stringMatching(/^TIFF image/) });
  });

  it('skips empty files and files that are not images', () => {
    expect(detectFormat(new Uint8Array(0), 0)).toEqual({ kind: 'unsupported', reason: 'The file is empty.' });
    expect(detectFormat(bytes('hello world'), 11)).toEqual({ kind: 'unsupported', reason: 'Not a JPEG or PNG image.' });
  });
});

describe('finding the files to upload', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'facegate-walk-'));
    await mkdir(join(root, 'album', 'day 2'), { recursive: true });
    await mkdir(join(root, '.thumbnails'));
    await writeFile(join(root, 'album', 'b.jpg'), 'b');
    await writeFile(join(root, 'album', 'a.jpg'), 'a');
    await writeFile(join(root, 'album', 'day 2', 'c.png'), 'cc');
    await writeFile(join(root, 'album', '.DS_Store'), 'x');
    await writeFile(join(root, '.thumbnails', 'a.jpg'), 'a');
    await symlink(join(root, 'album'), join(root, 'album', 'day 2', 'loop'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('walks folders in name order, leaving out hidden entries and links back to folders', async () => {
    const found = await findFiles([join(root, 'album')]);
    expect(found).toEqual([
      { path: join(root, 'album', 'a.jpg'), bytes: 1 },
      { path: join(root, 'album', 'b.jpg'), bytes: 1 },
      { path: join(root, 'album', 'day 2', 'c.png'), bytes: 2 },
    ]);
  });

  it('takes a file named on the command line once, even if its folder is named too', async () => {
    const found = await findFiles([join(root, 'album', 'b.jpg'), join(root, 'album')]);
    expect(found.map((file) => file.path)).toEqual([join(root, 'album', 'b.jpg'), join(root, 'album', 'a.jpg'), join(root, 'album', 'day 2', 'c.png')]);
  });

  it('says which input does not exist', async () => {
    await expect(findFiles([join(root, 'nope')])).rejects.toThrow(MissingInputError);
    await expect(findFiles([join(root, 'nope')])).rejects.toThrow(/nope: no such file or folder/);
  });

  it("hashes a file's content", async () => {
    await expect(sha256Of(join(root, 'album', 'a.jpg'))).resolves.toBe('ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
  });
});
