// The Rekognition-compatible HTTP service: AWS JSON 1.1 (`POST /`, `X-Amz-Target: RekognitionService.<Operation>`),
// so the unchanged @aws-sdk/client-rekognition works against it with only its endpoint changed. The SigV4
// signature is not checked; only the region is read from it.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultInjector, type RekognitionFaultDecision } from '../faults/fault-injector.js';
import type { FaultPlan } from '../faults/fault-plan.js';
import type { FaceEngine } from './engine/types.js';
import { errorBody, RekognitionError, toRekognitionError } from './errors.js';
import { FaceStore } from './face-store.js';
import { MAX_INLINE_IMAGE_BYTES } from './images.js';
import { type OperationContext, OPERATIONS } from './operations.js';
import { createS3ObjectReader } from './s3-object-reader.js';
import type { JsonObject } from './validation.js';

export interface FaceServiceOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  dataDir: string;
  /** The face model; the on-device human engine is created (and closed with the service) when none is given. */
  engine?: FaceEngine;
  /** Receives one line per request (operation, status, duration); defaults to stdout. */
  log?: (line: string) => void;
  /** Faults to inject (throttling, failures, latency, unreachable): a plan, or an injector shared with other parts. */
  faults?: FaultPlan | FaultInjector;
}

export interface FaceService {
  url: string;
  port: number;
  /** Its fault plan, replaceable while it runs (`faults.plan = {...}`), and the faults injected so far. */
  faults: FaultInjector;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'RekognitionService.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** CompareFaces carries two base64 images of up to 5 MiB each, plus the JSON around them. */
const MAX_BODY_BYTES = 2 * Math.ceil((MAX_INLINE_IMAGE_BYTES * 4) / 3) + 64 * 1024;
const DEFAULT_REGION = 'us-east-1';

/** The region from the SigV4 credential scope (`Credential=<key>/<date>/<region>/rekognition/aws4_request`). */
function signedRegion(request: IncomingMessage): string {
  const scope = /Credential=[^/,]+\/\d{8}\/([a-z0-9-]+)\//.exec(request.headers.authorization ?? '');
  return scope?.[1] ?? process.env.AWS_REGION ?? DEFAULT_REGION;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep draining past the limit so the client gets the answer instead of a reset connection.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  if (size > MAX_BODY_BYTES) {
    throw new RekognitionError('ImageTooLargeException', 'Request is too large: images sent as Bytes may be at most 5 MiB each. Use S3Object for images up to 15 MB.');
  }
  return Buffer.concat(chunks);
}

function parseInput(body: Buffer): JsonObject {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new RekognitionError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new RekognitionError('SerializationException', 'The request body must be a JSON object.');
  }
  return input as JsonObject;
}

function send(response: ServerResponse, status: number, body: object): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
  });
  response.end(payload);
}

const sleep = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** Imported only when needed, so a service given another engine never loads TensorFlow. */
async function loadHumanEngine(): Promise<FaceEngine> {
  const { createHumanEngine } = await import('./engine/human-engine.js');
  return createHumanEngine();
}

export async function startFaceService(options: FaceServiceOptions): Promise<FaceService> {
  const log = options.log ?? ((line: string) => console.log(line));
  const ownEngine = !options.engine;
  // First: a wrong plan fails before anything is opened or loaded.
  const faults = FaultInjector.from(options.faults);
  // The store first: it is quick, and a bad dataDir then fails before the slow model load.
  const store = await FaceStore.open(options.dataDir);
  const engine = options.engine ?? (await loadHumanEngine());
  const objects = createS3ObjectReader();

  async function applyFault(fault: RekognitionFaultDecision): Promise<void> {
    await sleep(fault.latencyMs);
    if (fault.error === 'ThrottlingException') throw new RekognitionError('ThrottlingException', 'Rate exceeded');
    if (fault.error === 'InternalServerError') throw new RekognitionError('InternalServerError', 'Internal server error (injected by the fault plan).');
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Requests on connections opened before the plan made the service unreachable are cut off too.
    if (faults.refuseRekognitionConnection()) {
      request.socket.destroy();
      return;
    }
    const started = performance.now();
    const target = request.headers['x-amz-target'];
    const operationName = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const operation = operationName !== undefined && Object.hasOwn(OPERATIONS, operationName) ? OPERATIONS[operationName] : undefined;
    let status = 200;
    let failure = '';
    /** performance.now() before which the answer does not leave (the plan's response time). */
    let answerAt = 0;
    const answerWhenDue = async (body: object) => {
      await sleep(answerAt - performance.now());
      send(response, status, body);
    };
    try {
      const body = await readBody(request);
      if (request.method !== 'POST' || !operation) {
        throw new RekognitionError('UnknownOperationException', `Unknown operation ${String(target ?? '(no X-Amz-Target header)')}: send POST / with X-Amz-Target: RekognitionService.<Operation>.`);
      }
      const fault = faults.rekognitionCall(operationName!, body);
      if (fault.responseTimeMs) answerAt = started + fault.responseTimeMs;
      await applyFault(fault);
      const context: OperationContext = { store, engine, objects, region: signedRegion(request) };
      await answerWhenDue(await operation(parseInput(body), context));
    } catch (caught) {
      const error = toRekognitionError(caught);
      status = error.httpStatus;
      failure = ` ${error.type}`;
      // Our own faults are logged with their cause (never request contents); clients get the generic message.
      if (!(caught instanceof RekognitionError)) failure += ` cause: ${caught instanceof Error ? caught.stack ?? caught.message : String(caught)}`;
      if (!response.headersSent) await answerWhenDue(errorBody(error));
    } finally {
      // Only known names reach the log: the header is the client's text.
      log(`${operation ? operationName : 'UnknownOperation'} ${status} ${Math.round(performance.now() - started)}ms${failure}`);
    }
  }

  const server = createServer((request, response) => void handle(request, response));
  server.on('connection', (socket) => {
    if (faults.refuseRekognitionConnection()) socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
  } catch (error) {
    objects.close();
    if (ownEngine) await engine.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    port,
    faults,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      objects.close();
      if (ownEngine) await engine.close();
    },
  };
}
