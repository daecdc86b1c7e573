import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgressBar, formatProgressLine } from '../../scripts/indexer/progress.js';

describe('the progress display', () => {
  const halfway = { total: 200, done: 100, faces: 180, failed: 3, elapsedMs: 50_000 };

  it('shows photos done, faces, failures, rate and time left on one terminal line', () => {
    const line = formatProgressBar(halfway, 120);
    expect(line).toMatch(/^\[█+░+\] 100\/200 photos · 180 faces · 3 failed · 2\.0 photos\/s · 50s left$/);
    expect(line.length).toBeLessThan(120);
  });

  it('fills the bar in proportion to the photos done', () => {
    const bar = /^\[(█*)(░*)\]/.exec(formatProgressBar(halfway, 120))!;
    expect(bar[1]!.length).toBe(bar[2]!.length);
  });

  it('writes a plain line when the output is not a terminal', () => {
    expect(formatProgressLine(halfway)).toBe('progress: 100/200 photos, 180 faces, 3 failed, 2.0 photos/s, 50s left');
  });

  it('does not guess a rate before the first photo is done', () => {
    expect(formatProgressLine({ total: 10, done: 0, faces: 0, failed: 0, elapsedMs: 3000 })).toBe(
      'progress: 0/10 photos, 0 faces, 0 failed, – photos/s, time left unknown',
    );
  });

  it('keeps the line within a narrow terminal', () => {
    expect(formatProgressBar(halfway, 40).length).toBeLessThanOrEqual(39);
  });

  it('writes durations in seconds, minutes and hours', () => {
    expect([4_000, 185_000, 7_500_000].map(formatDuration)).toEqual(['4s', '3m05s', '2h05m']);
  });
});
