import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/faces');

export function fixture(name: string): Buffer {
  return readFileSync(path.join(fixturesDir, name));
}

interface FixtureLabel {
  file: string;
  format: string;
  face_count: number | null;
}

export const fixtureLabels = JSON.parse(readFileSync(path.join(fixturesDir, 'labels.json'), 'utf8')) as Record<
  string,
  FixtureLabel
>;
