import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReportWriter, indexedInReport, indexedKey, readIndexedPhotos, type ReportRecord } from '../../scripts/indexer/report.js';

function line(fields: Partial<ReportRecord>): string {
  const record: ReportRecord = {
    path: '/photos/a.jpg',
    sha256: 'aa',
    bytes: 1,
    collection: 'team',
    status: 'indexed',
    faces: 1,
    faceIds: ['f1'],
    unindexedFaces: 0,
    attempts: 1,
    at: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
  return JSON.stringify(record);
}

describe('resuming from a report', () => {
  it('knows a photo as indexed by collection, path and content', () => {
    const { indexed } = indexedInReport([line({}), line({ path: '/photos/b.jpg', status: 'failed' })].join('\n'));
    expect([...indexed]).toEqual([indexedKey('team', '/photos/a.jpg', 'aa')]);
  });

  it('sends a photo again when its content changed since it was indexed', () => {
    const { indexed } = indexedInReport(line({}));
    expect(indexed.has(indexedKey('team', '/photos/a.jpg', 'bb'))).toBe(false);
  });

  it('sends a photo again into another collection', () => {
    const { indexed } = indexedInReport(line({}));
    expect(indexed.has(indexedKey('family', '/photos/a.jpg', 'aa'))).toBe(false);
  });

  it('keeps a photo indexed when a later run failed to send it again', () => {
    const { indexed } = indexedInReport([line({}), line({ status: 'failed' })].join('\n'));
    expect(indexed.has(indexedKey('team', '/photos/a.jpg', 'aa'))).toBe(true);
  });

  it('counts a line cut off by an interruption as unreadable and reads the rest', () => {
    const text = `${line({})}\n${line({ path: '/photos/b.jpg' }).slice(0, 40)}`;
    const { indexed, unreadableLines } = indexedInReport(text);
    expect(indexed.size).toBe(1);
    expect(unreadableLines).toBe(1);
  });

  it('starts from nothing when there is no report yet', async () => {
    await expect(readIndexedPhotos(join(tmpdir(), 'facegate-no-such-report.jsonl'))).resolves.toEqual({ indexed: new Set(), unreadableLines: 0 });
  });
});

describe('writing the report', () => {
  let dir: string | undefined;
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('appends one JSON line per record, in the order written, after what a previous run wrote', async () => {
    dir = await mkdtemp(join(tmpdir(), 'facegate-report-'));
    const path = join(dir, 'report.jsonl');
    const first = createReportWriter(path);
    await first.write(JSON.parse(line({ path: '/p/1.jpg' })));
    const second = createReportWriter(path);
    void second.write(JSON.parse(line({ path: '/p/2.jpg' })));
    void second.write(JSON.parse(line({ path: '/p/3.jpg', status: 'failed' })));
    await second.flushed();
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n').map((text) => JSON.parse(text) as ReportRecord);
    expect(lines.map((record) => [record.path, record.status])).toEqual([
      ['/p/1.jpg', 'indexed'],
      ['/p/2.jpg', 'indexed'],
      ['/p/3.jpg', 'failed'],
    ]);
  });
});
