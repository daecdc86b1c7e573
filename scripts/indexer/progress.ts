// The progress line: photos done of the total, faces found, failures, rate and time left. Redrawn in place on a
// terminal; written as plain lines at an interval when the output is a file or a pipe (CI logs, `| tee`).

export interface ProgressSnapshot {
  /** Photos this run has to handle (already indexed ones left out). */
  total: number;
  done: number;
  faces: number;
  failed: number;
  elapsedMs: number;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** "12 photos/s · 3m05s left", or "…" while nothing is done yet and no rate is known. */
function rateAndTimeLeft(snapshot: ProgressSnapshot): { rate: string; left: string } {
  if (snapshot.done === 0 || snapshot.elapsedMs <= 0) return { rate: '– photos/s', left: 'time left unknown' };
  const perSecond = snapshot.done / (snapshot.elapsedMs / 1000);
  const remaining = snapshot.total - snapshot.done;
  return {
    rate: `${perSecond < 10 ? perSecond.toFixed(1) : Math.round(perSecond)} photos/s`,
    left: remaining === 0 ? 'done' : `${formatDuration((remaining / perSecond) * 1000)} left`,
  };
}

function counts(snapshot: ProgressSnapshot): string[] {
  const { rate, left } = rateAndTimeLeft(snapshot);
  return [
    `${snapshot.done}/${snapshot.total} photos`,
    `${snapshot.faces} face${snapshot.faces === 1 ? '' : 's'}`,
    `${snapshot.failed} failed`,
    rate,
    left,
  ];
}

/** One terminal line: a bar sized to the terminal, then the counts. */
export function formatProgressBar(snapshot: ProgressSnapshot, columns: number): string {
  const text = counts(snapshot).join(' · ');
  // Sized by the terminal alone, so the bar does not jump as the counts grow.
  const barWidth = Math.max(10, Math.min(30, columns - 70));
  const filled = snapshot.total === 0 ? barWidth : Math.round((snapshot.done / snapshot.total) * barWidth);
  return `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${text}`.slice(0, Math.max(columns - 1, 20));
}

export function formatProgressLine(snapshot: ProgressSnapshot): string {
  return `progress: ${counts(snapshot).join(', ')}`;
}

export interface ProgressOutput {
  isTTY: boolean;
  columns?: number;
  write(text: string): void;
}

/** Shows progress until stopped: in place every 200 ms on a terminal, a line every `lineIntervalMs` otherwise. */
export function startProgress(output: ProgressOutput, snapshot: () => ProgressSnapshot, lineIntervalMs = 10_000): { stop(): void } {
  const draw = output.isTTY
    ? () => output.write(`\r\x1b[2K${formatProgressBar(snapshot(), output.columns ?? 80)}`)
    : () => output.write(`${formatProgressLine(snapshot())}\n`);
  const timer = setInterval(draw, output.isTTY ? 200 : lineIntervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (output.isTTY) {
        draw();
        output.write('\n');
      }
    },
  };
}
