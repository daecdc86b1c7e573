// `npm run index -- <folder or files...> --collection <name>`: bulk-indexes a photo library through the API.
// Ctrl+C stops sending (answers already on their way are still recorded); a second Ctrl+C exits at once.
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseIndexArguments, USAGE, UsageError } from './indexer/arguments.js';
import { resolveApiTarget } from './indexer/api-target.js';
import { MissingInputError } from './indexer/photo-files.js';
import type { ProgressOutput } from './indexer/progress.js';
import { runIndexer } from './indexer/run-indexer.js';
import { createBatchSender } from './indexer/upload-request.js';

export interface IndexCommandIo {
  env: Readonly<Record<string, string | undefined>>;
  out: (line: string) => void;
  err: (line: string) => void;
  progress: ProgressOutput;
  signal: AbortSignal;
}

/** Sleeps, or returns early when the run is interrupted. */
const sleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => undefined);

export async function runIndexCommand(argv: readonly string[], io: IndexCommandIo): Promise<number> {
  try {
    const options = parseIndexArguments(argv);
    if (options === 'help') {
      io.out(USAGE);
      return 0;
    }
    const target = await resolveApiTarget(options, io.env);
    // `npm run` starts scripts in the project's folder; paths given on its command line are the caller's.
    const workingDirectory = io.env.INIT_CWD ?? process.cwd();
    const outcome = await runIndexer(
      {
        inputs: options.inputs.map((input) => resolve(workingDirectory, input)),
        workingDirectory,
        collection: options.collection,
        url: target.url,
        reportPath: resolve(workingDirectory, options.reportPath),
        concurrency: options.concurrency,
        batchSize: options.batchSize,
        retryPolicy: { maxAttempts: options.retries + 1, baseDelayMs: 1_000, maxDelayMs: 30_000 },
        signal: io.signal,
      },
      {
        send: createBatchSender({ ...target, collection: options.collection }),
        sleep,
        random: Math.random,
        now: Date.now,
        out: io.out,
        progress: io.progress,
      },
    );
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof MissingInputError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const interrupted = new AbortController();
  process.on('SIGINT', () => {
    if (interrupted.signal.aborted) process.exit(130);
    process.stderr.write('\nInterrupted: finishing the requests already sent (Ctrl+C again to quit now)...\n');
    interrupted.abort();
  });
  const code = await runIndexCommand(process.argv.slice(2), {
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    progress: { isTTY: Boolean(process.stderr.isTTY), columns: process.stderr.columns || 80, write: (text) => process.stderr.write(text) },
    signal: interrupted.signal,
  });
  process.exit(code);
}
