// S3 on loopback (s3rver, the S3 REST API over plain files), objects kept under a directory so stored originals
// survive a restart; the buckets it is given exist once it has started.
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { FaultInjector } from './faults/fault-injector.js';

interface S3rverInstance {
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

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

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

/** Puts the fault plan's S3 write failures in front of s3rver's own request handling. */
function injectWriteFaults(server: Server, faults: FaultInjector): void {
  const handlers = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const key = request.method === 'PUT' ? objectKeyOf(request) : undefined;
    if (key !== undefined && faults.s3WriteFails(key, originalFileName(request))) {
      sendInternalError(request, response);
      return;
    }
    for (const handler of handlers) handler.call(server, request, response);
  });
}

export async function startEmbeddedS3(options: {
  directory: string;
  buckets: string[];
  host?: string;
  port?: number;
  /** Object writes to fail, as the plan says. */
  faults?: FaultInjector;
}): Promise<EmbeddedS3> {
  await mkdir(options.directory, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const instance = new S3rver({
    address: host,
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
    // Whatever credentials the SDK finds in the environment, local S3 accepts them.
    allowMismatchedSignatures: true,
    vhostBuckets: false,
  });
  const { port } = await instance.run();
  if (options.faults && instance.httpServer) injectWriteFaults(instance.httpServer, options.faults);
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: async () => {
      const closing = instance.close();
      // The SDK keeps connections alive; without this, close waits for them to time out.
      instance.httpServer?.closeAllConnections?.();
      await closing;
    },
  };
}
