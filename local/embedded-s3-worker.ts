// Worker-thread entry of the embedded S3: s3rver in a thread of its own, so its request handling does not share
// the gateway's and the handlers' event loop. Which writes fail is decided by the stack's fault injector in the
// main thread (its plan is replaceable while the stack runs): each object PUT asks it through a MessagePort.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { workerData, type MessagePort } from 'node:worker_threads';
import { serveInWorker } from './worker-threads.js';

export interface EmbeddedS3WorkerData {
  directory: string;
  buckets: string[];
  host: string;
  port: number;
  /** Present when a fault plan applies: answers `S3WriteFaultQuestion`s with `S3WriteFaultAnswer`s. */
  faults?: MessagePort;
}

export interface S3WriteFaultQuestion {
  id: number;
  key: string;
  fileName: string | undefined;
}

export interface S3WriteFaultAnswer {
  id: number;
  fails: boolean;
}

interface S3rverInstance {
  /** Koa's middleware list, composed when the server starts listening. */
  middleware: Array<(...args: never[]) => unknown>;
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}

type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string; configs: [] }>;
  allowMismatchedSignatures: boolean;
  /** Path-style only: buckets are never resolved from the Host header. */
  vhostBuckets: boolean;
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** The object key of a path-style request (`/bucket/key`), or undefined for a bucket-level request. */
function objectKeyOf(request: IncomingMessage): string | undefined {
  const path = new URL(`http://localhost${request.url ?? '/'}`).pathname;
  const slash = path.indexOf('/', 1);
  if (slash === -1 || slash === path.length - 1) return undefined;
  try {
    return decodeURIComponent(path.slice(slash + 1));
  } catch {
    // Not a key the SDK would send; s3rver answers it as it answers any malformed request.
    return undefined;
  }
}

/** The file name the API keeps in the object's metadata (percent-encoded UTF-8). */
function originalFileName(request: IncomingMessage): string | undefined {
  const value = request.headers['x-amz-meta-original-filename'];
  if (typeof value !== 'string') return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** S3's answer to a write it failed on its side; the SDK retries it, then gives up. */
function sendInternalError(request: IncomingMessage, response: ServerResponse): void {
  const requestId = randomUUID();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>' +
    `<RequestId>${requestId}</RequestId></Error>`;
  request.resume();
  request.on('end', () => {
    response.writeHead(500, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId });
    response.end(body);
  });
}

/** Asks the main thread's fault injector whether a write fails; one question per PUT attempt. */
function writeFaultOracle(port: MessagePort): (key: string, fileName: string | undefined) => Promise<boolean> {
  const pending = new Map<number, (fails: boolean) => void>();
  let nextId = 1;
  port.on('message', ({ id, fails }: S3WriteFaultAnswer) => {
    pending.get(id)?.(fails);
    pending.delete(id);
  });
  return (key, fileName) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      port.postMessage({ id, key, fileName } satisfies S3WriteFaultQuestion);
    });
}

/** Puts the fault plan's S3 write failures in front of s3rver's own request handling. */
function injectWriteFaults(server: Server, writeFails: (key: string, fileName: string | undefined) => Promise<boolean>): void {
  const handlers = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners('request');
  const serve = (request: IncomingMessage, response: ServerResponse) => {
    for (const handler of handlers) handler.call(server, request, response);
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const key = request.method === 'PUT' ? objectKeyOf(request) : undefined;
    if (key === undefined) {
      serve(request, response);
      return;
    }
    // The body stays unread while the answer comes back, so s3rver still gets all of it.
    void writeFails(key, originalFileName(request)).then((fails) => (fails ? sendInternalError(request, response) : serve(request, response)));
  });
}

/**
 * s3rver logs each request through koa-logger even when silent: it formats a line for a muted transport and pipes
 * every response body through a byte-counting stream for it, a fifth of s3rver's CPU. Taken out before it listens.
 */
function withoutRequestLog(instance: S3rverInstance): void {
  const index = instance.middleware.findIndex((middleware) => middleware.name === 'logger');
  if (index !== -1) instance.middleware.splice(index, 1);
}

const options = workerData as EmbeddedS3WorkerData;

await serveInWorker(async () => {
  const instance = new S3rver({
    address: options.host,
    port: options.port,
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
    // Whatever credentials the SDK finds in the environment, local S3 accepts them.
    allowMismatchedSignatures: true,
    vhostBuckets: false,
  });
  withoutRequestLog(instance);
  const { port } = await instance.run();
  if (options.faults && instance.httpServer) injectWriteFaults(instance.httpServer, writeFaultOracle(options.faults));
  return {
    port,
    close: async () => {
      const closing = instance.close();
      // The SDK keeps connections alive; without this, close waits for them to time out.
      instance.httpServer?.closeAllConnections?.();
      await closing;
      options.faults?.close();
    },
  };
});
