// Worker-thread entry of the embedded DynamoDB: dynalite in a thread of its own, so its request handling (and
// LevelDB's) does not share the gateway's and the handlers' event loop.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { workerData } from 'node:worker_threads';
import { serveInWorker } from './worker-threads.js';

export interface EmbeddedDynamoDbWorkerData {
  directory: string;
  host: string;
  port: number;
}

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
// dynalite's own LevelDB binding, so the probe below takes exactly the lock dynalite would.
const { Level } = createRequire(require.resolve('dynalite'))('level') as { Level: new (path: string) => LevelDatabase };
const options = workerData as EmbeddedDynamoDbWorkerData;

/**
 * dynalite opens LevelDB in the background and reports a held lock only as "Database is closed" on the first
 * request, which ends the thread; opening it once before fails at start with the lock's own error code instead.
 */
async function ensureDirectoryIsFree(directory: string): Promise<void> {
  const database = new Level(directory);
  try {
    await database.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') throw Object.assign(new Error(`${directory} is locked`), { code: cause.code });
    throw error;
  }
  await database.close();
}

await serveInWorker(async () => {
  await ensureDirectoryIsFree(options.directory);
  const server = dynalite({ path: options.directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections?.();
    });
  return { port: (server.address() as AddressInfo).port, close };
});
