import { describe, expect, it } from 'vitest';
import { parseIndexArguments, UsageError } from '../../scripts/indexer/arguments.js';

describe('the index command line', () => {
  it('takes folders and files, the collection, and sensible defaults', () => {
    expect(parseIndexArguments(['photos', 'extra.jpg', '--collection', 'team'])).toEqual({
      inputs: ['photos', 'extra.jpg'],
      collection: 'team',
      url: undefined,
      token: undefined,
      concurrency: 2,
      batchSize: 50,
      retries: 4,
      reportPath: 'facegate-index-team.jsonl',
    });
  });

  it('reads every option', () => {
    const parsed = parseIndexArguments(
      ['p', '--collection=c', '--url', 'https://api.example/prod', '--token', 'T', '--concurrency', '4', '--batch-size', '10', '--retries', '0', '--report', 'r.jsonl'],
    );
    expect(parsed).toMatchObject({ url: 'https://api.example/prod', token: 'T', concurrency: 4, batchSize: 10, retries: 0, reportPath: 'r.jsonl' });
  });

  it('refuses what would fail later, saying how to fix it', () => {
    expect(() => parseIndexArguments(['photos'])).toThrow(/--collection is required/);
    expect(() => parseIndexArguments(['--collection', 'c'])).toThrow(/Name the folders or photos/);
    expect(() => parseIndexArguments(['p', '--collection', 'my collection'])).toThrow(/1 to 100 of A-Z a-z 0-9 _ \. -/);
    expect(() => parseIndexArguments(['p', '--collection', 'c', '--batch-size', '51'])).toThrow(/--batch-size must be a whole number from 1 to 50/);
    expect(() => parseIndexArguments(['p', '--collection', 'c', '--concurrency', 'many'])).toThrow(UsageError);
    expect(() => parseIndexArguments(['p', '--collection', 'c', '--url', 'localhost:3000'])).toThrow(/--url must be an http\(s\) URL/);
    expect(() => parseIndexArguments(['p', '--collection', 'c', '--colection', 'x'])).toThrow(UsageError);
  });

  it('answers --help', () => {
    expect(parseIndexArguments(['--help'])).toBe('help');
  });
});
