// Worker threads for the local stack: a .ts entry started in a thread of its own (face analysis, and the stand-ins
// for S3 and DynamoDB, whose CPU would otherwise share the gateway's and the handlers' one event loop), and the
// small protocol a server in a worker follows: it reports its port (or why it could not listen) and closes on demand.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker, type WorkerOptions } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * The entry is a .ts file. Node 20 does not apply a loader given as `--import tsx` in a worker's execArgv to the
 * worker's own entry, so a small JavaScript bootstrap registers tsx's loader in the worker first and then imports
 * the entry. It names both by absolute URL, so it works the same under `tsx`, vitest and `npm start`, from any
 * working directory.
 */
function bootstrapFor(entry: URL): string {
  const tsxPackageJson = require.resolve('tsx/package.json');
  const tsxExports = (require(tsxPackageJson) as { exports: Record<string, { import: { default: string } }> }).exports;
  const tsxApi = pathToFileURL(path.join(path.dirname(tsxPackageJson), tsxExports['./esm/api']!.import.default)).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** Starts a worker thread running a TypeScript module. */
export function startTypeScriptWorker(entry: URL, options: Pick<WorkerOptions, 'workerData' | 'transferList'> = {}): Worker {
  return new Worker(bootstrapFor(entry), { ...options, eval: true, execArgv: [] });
}

/** An error as it crosses threads: structured cloning keeps neither the class nor `code` (EADDRINUSE, ...). */
interface TransferredError {
  message: string;
  code?: string;
}

type ServerWorkerMessage = { type: 'listening'; port: number } | { type: 'failed'; error: TransferredError } | { type: 'closed' };

export interface ServerInWorker {
  port: number;
  close(): Promise<void>;
}

/**
 * Starts a server module in a worker thread (its entry calls `serveInWorker`) and resolves once it listens. A
 * failure to start rejects with the worker's error, `code` included, so callers explain it as they would in-process.
 */
export function startServerInWorker(name: string, entry: URL, options: Pick<WorkerOptions, 'workerData' | 'transferList'>): Promise<ServerInWorker> {
  const worker = startTypeScriptWorker(entry, options);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let state: 'starting' | 'running' | 'closing' = 'starting';
    let closed: (() => void) | undefined;
    const fail = (error: Error) => {
      if (state === 'starting') reject(error);
      else if (state === 'running') console.error(`[${name}] stopped unexpectedly:`, error);
      state = 'closing';
    };
    worker.on('message', (message: ServerWorkerMessage) => {
      if (message.type === 'listening') {
        state = 'running';
        resolve({
          port: message.port,
          close: async () => {
            state = 'closing';
            // A worker that already died has nothing left to close.
            const stopped = Promise.race([new Promise<void>((resolveClose) => (closed = resolveClose)), exited]);
            worker.postMessage('close');
            await stopped;
            await worker.terminate();
          },
        });
      } else if (message.type === 'failed') {
        fail(Object.assign(new Error(message.error.message), message.error.code === undefined ? {} : { code: message.error.code }));
        void worker.terminate();
      } else {
        closed?.();
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (state !== 'closing') fail(new Error(`the ${name} worker exited with code ${code}`));
    });
  });
}

/** The worker's side of `startServerInWorker`: starts the server, reports its port, closes it when asked. */
export async function serveInWorker(start: () => Promise<{ port: number; close(): Promise<void> }>): Promise<void> {
  if (!parentPort) throw new Error('serveInWorker must run in a worker thread');
  const parent = parentPort;
  let server: { port: number; close(): Promise<void> };
  try {
    server = await start();
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    parent.postMessage({ type: 'failed', error: { message: message ?? String(error), code } } satisfies ServerWorkerMessage);
    return;
  }
  parent.on('message', (message: unknown) => {
    if (message !== 'close') return;
    void server
      .close()
      .catch((error: unknown) => console.error('[worker] stop failed:', error))
      .finally(() => parent.postMessage({ type: 'closed' } satisfies ServerWorkerMessage));
  });
  parent.postMessage({ type: 'listening', port: server.port } satisfies ServerWorkerMessage);
}
