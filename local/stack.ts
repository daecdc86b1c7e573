// The whole API on one machine: S3 (s3rver) and DynamoDB (dynalite), each in a worker thread of its own, and the
// Rekognition-compatible face service, on free loopback ports with their data under one directory, and the real
// Lambda handlers behind the local API Gateway. The handlers get only the AWS SDK's own variables; nothing in them
// knows it runs locally.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { GatewayResponseOptions, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAuthorizerDependencies, createBulkUploadDependencies } from '../lambda/composition.js';
import { DynamoDbTenantStore } from '../lambda/adapters/dynamodb-tenant-store.js';
import { hashToken } from '../lambda/core/tokens.js';
import { createAuthorizerHandler } from '../lambda/handlers/authorizer.js';
import { createBulkUploadHandler } from '../lambda/handlers/bulk-upload.js';
import type { FaceEngine } from './face-service/engine/types.js';
import { startFaceService, type FaceService } from './face-service/server.js';
import { addGatewayErrorResponses } from '../lib/constructs/gateway-error-responses.js';
import type { GatewayResponseCustomization } from './api-gateway/gateway-responses.js';
import { startApiGateway, type RunningApiGateway } from './api-gateway/server.js';
import { ensureTable, imageRecordsTable, localDynamoDbClient, provisionTenant, startEmbeddedDynamoDb, tenantsTable, type EmbeddedDynamoDb } from './embedded-dynamodb.js';
import { startEmbeddedS3, type EmbeddedS3 } from './embedded-s3.js';
import { FaultInjector } from './faults/fault-injector.js';
import type { FaultPlan } from './faults/fault-plan.js';

export const BULK_UPLOAD_RESOURCE = '/ia/faces/bulkUpload';
export const DEV_TENANT = { tenantId: 'dev', name: 'dev' } as const;

/** Local resource names and settings; a deployment takes its own from the CDK stack. */
const LOCAL_RESOURCES = {
  IMAGES_BUCKET: 'facegate-images',
  TENANTS_TABLE: 'facegate-tenants',
  IMAGE_RECORDS_TABLE: 'facegate-image-records',
  COLLECTION_PREFIX: 'facegate-local',
  S3_FORCE_PATH_STYLE: 'true',
} as const;
/** s3rver's documented credentials; the local stand-ins accept any, AWS is never reached with them. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
const STATE_FILE = 'stack.json';
const DEV_TOKEN_FILE = 'dev-token';

export interface LocalStackOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  dataDir: string;
  /** Fixes the dev tenant's token; otherwise one is generated on first start and kept in dataDir. */
  devToken?: string;
  /** The face model behind the face service (the caller closes it); the on-device model is loaded when none is given. */
  faceEngine?: FaceEngine;
  /** How long API Gateway reuses an authorizer result for a token (300 s, as deployed). */
  authorizerCacheTtlSeconds?: number;
  /** Upload function timeout; the handler's context counts down from it. */
  uploadTimeoutMs?: number;
  /** Extra handler variables (MAX_IMAGES_PER_REQUEST, INDEX_CONCURRENCY, ...). */
  handlerEnvironment?: Record<string, string>;
  /** Where the parts log: one line per request from the gateway, the handlers and the face service. */
  log?: (line: string) => void;
  /** How long a client may take to send a whole request before it is answered 408 (60 s). */
  requestTimeoutMs?: number;
  /** Faults the face service and S3 inject (local/faults/README.md); none by default. */
  faultPlan?: FaultPlan;
}

export interface LocalStack {
  url: string;
  /** The dev tenant's token. */
  token: string;
  dataDir: string;
  endpoints: { s3: string; dynamodb: string; rekognition: string };
  environment: Readonly<Record<string, string>>;
  /** The fault plan, replaceable while the stack runs (`faults.plan = {...}`), and the faults injected so far. */
  faults: FaultInjector;
  close(): Promise<void>;
}

/**
 * What a stack records in its data directory from the moment it starts: it claims the directory (the embedded
 * databases must not be opened twice), and once ready tells `npm run tenant` where its DynamoDB listens.
 */
export type RunningStackState =
  | { pid: number; status: 'starting' }
  | { pid: number; status: 'ready'; url: string; region: string; tenantsTable: string; endpoints: LocalStack['endpoints'] };

export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`Port ${port} on ${host} is already in use`);
    this.name = 'PortInUseError';
  }
}

export class StackAlreadyRunningError extends Error {
  constructor(
    readonly dataDir: string,
    readonly state: RunningStackState,
  ) {
    super(
      `A local stack (pid ${state.pid}${state.status === 'ready' ? `, ${state.url}` : ', starting'}) is already running on ${dataDir}: ` +
        'stop it, or use another DATA_DIR.',
    );
    this.name = 'StackAlreadyRunningError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stack running on dataDir, if any; a state file left by a killed process is ignored. */
export async function readRunningStack(dataDir: string): Promise<RunningStackState | undefined> {
  let state: RunningStackState;
  try {
    state = JSON.parse(await readFile(join(dataDir, STATE_FILE), 'utf8')) as RunningStackState;
  } catch {
    return undefined;
  }
  return isAlive(state.pid) ? state : undefined;
}

export function localRegion(): string {
  return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

export const localClientSettings = () => ({ region: localRegion(), credentials: { ...LOCAL_CREDENTIALS } });
export const localTenantsTable = LOCAL_RESOURCES.TENANTS_TABLE;

/** The embedded DynamoDB on a data directory's tenants table, for callers that need only tenants. */
export async function openLocalTenantData(dataDir: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const directory = join(dataDir, 'dynamodb');
  const dynamodb = await startEmbeddedDynamoDb({ directory });
  const client = localDynamoDbClient(dynamodb.endpoint, localClientSettings());
  try {
    await ensureTable(client, tenantsTable(LOCAL_RESOURCES.TENANTS_TABLE));
  } catch (error) {
    await dynamodb.close();
    throw error;
  } finally {
    client.destroy();
  }
  return dynamodb;
}

/**
 * The gateway responses the deployed API customizes, read from the CDK construct that configures them (through
 * the one method it calls), so local answers follow every change made there.
 */
function deployedGatewayResponses(): GatewayResponseCustomization[] {
  const recorded: GatewayResponseCustomization[] = [];
  const recorder = {
    addGatewayResponse(_id: string, options: GatewayResponseOptions) {
      // Header values are mapping expressions; the deployed stack only uses quoted literals.
      const headers = Object.fromEntries(Object.entries(options.responseHeaders ?? {}).map(([name, value]) => [name, value.replace(/^'(.*)'$/, '$1')]));
      recorded.push({
        type: options.type.responseType,
        statusCode: options.statusCode === undefined ? undefined : Number(options.statusCode),
        headers,
        template: options.templates?.['application/json'],
      });
    },
  };
  addGatewayErrorResponses(recorder as unknown as RestApi);
  return recorded;
}

/** The tables the handlers use, keyed as the CDK stack defines them. */
async function ensureTables(client: DynamoDBClient): Promise<void> {
  await ensureTable(client, tenantsTable(LOCAL_RESOURCES.TENANTS_TABLE));
  await ensureTable(client, imageRecordsTable(LOCAL_RESOURCES.IMAGE_RECORDS_TABLE));
}

/** Where a stack keeps the dev tenant's generated token (none is kept when DEV_TOKEN fixes it). */
export const devTokenFile = (dataDir: string) => join(dataDir, DEV_TOKEN_FILE);

async function devTokenFor(dataDir: string, fixed: string | undefined): Promise<string | undefined> {
  if (fixed) return fixed;
  const file = devTokenFile(dataDir);
  return existsSync(file) ? (await readFile(file, 'utf8')).trim() : undefined;
}

async function ensureDevTenant(store: DynamoDbTenantStore, dataDir: string, fixedToken: string | undefined): Promise<string> {
  const known = await devTokenFor(dataDir, fixedToken);
  if (known && (await store.findByTokenHash(hashToken(known)))) return known;
  // Every dev token belongs to the same tenant id, so a new DEV_TOKEN keeps the collections made with the old one.
  const { token } = await provisionTenant(store, { ...DEV_TENANT, token: known });
  if (!fixedToken) await writeFile(devTokenFile(dataDir), `${token}\n`, { mode: 0o600 });
  return token;
}

async function startGateway(options: LocalStackOptions, host: string): Promise<RunningApiGateway> {
  try {
    return await startApiGateway({
      port: options.port ?? 0,
      host,
      region: localRegion(),
      limits: { requestTimeoutMs: options.requestTimeoutMs },
      log: options.log && ((line) => options.log!(`api-gateway ${JSON.stringify(line)}`)),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, options.port ?? 0);
    throw error;
  }
}

/**
 * Sets the AWS SDK's own variables in process.env: the SDK reads endpoints, region and credentials only from
 * there, and the ports are known only once the services listen. One stack per process at a time.
 */
function exportSdkEnvironment(environment: Record<string, string>): void {
  for (const name of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_REKOGNITION']) {
    const value = environment[name];
    if (value !== undefined) process.env[name] = value;
  }
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

function settledOrThrow<T extends readonly unknown[]>(results: { [K in keyof T]: PromiseSettledResult<T[K]> }): T {
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.dataDir;
  // Before anything starts: a wrong plan fails at once.
  const faults = new FaultInjector(options.faultPlan);
  await mkdir(dataDir, { recursive: true });
  const running = await readRunningStack(dataDir);
  if (running) throw new StackAlreadyRunningError(dataDir, running);

  const stateFile = join(dataDir, STATE_FILE);
  const writeState = (state: RunningStackState) => writeFile(stateFile, JSON.stringify(state, null, 2));
  await writeState({ pid: process.pid, status: 'starting' });

  const parts: { gateway?: RunningApiGateway; faceService?: FaceService; s3?: EmbeddedS3; dynamodb?: EmbeddedDynamoDb } = {};
  // Entry first (no new requests), then what requests use, then storage; the claim on dataDir goes last.
  async function close(): Promise<void> {
    for (const part of [parts.gateway, parts.faceService, parts.s3, parts.dynamodb]) {
      await part?.close().catch((error: unknown) => console.error('[stack] stop failed:', error));
    }
    await rm(stateFile, { force: true });
  }

  try {
    // The gateway listens first: a taken port fails at once, and GET /health answers 503 while the rest loads.
    const gateway = (parts.gateway = await startGateway(options, host));
    // Both settle before anything is closed: a worker still starting when the other fails would outlive close().
    const [s3, dynamodb] = settledOrThrow(
      await Promise.allSettled([
        startEmbeddedS3({ directory: join(dataDir, 's3'), buckets: [LOCAL_RESOURCES.IMAGES_BUCKET], host, faults }).then((s3) => (parts.s3 = s3)),
        startEmbeddedDynamoDb({ directory: join(dataDir, 'dynamodb'), host }).then((dynamodb) => (parts.dynamodb = dynamodb)),
      ] as const),
    );
    const environment: Record<string, string> = {
      AWS_REGION: localRegion(),
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      ...LOCAL_RESOURCES,
      ...options.handlerEnvironment,
    };
    // The face service reads S3Object images through the SDK, which finds the S3 endpoint in process.env.
    exportSdkEnvironment(environment);

    const tenantsClient = localDynamoDbClient(dynamodb.endpoint, localClientSettings());
    // Both settle before anything is closed: closing dynalite under a pending request crashes the process.
    const [faceService, token] = settledOrThrow(
      await Promise.allSettled([
        startFaceService({
          port: 0,
          host,
          dataDir: join(dataDir, 'faces'),
          engine: options.faceEngine,
          faults,
          log: options.log ? (line) => options.log!(`face-service ${line}`) : () => undefined,
        }).then((faceService) => (parts.faceService = faceService)),
        ensureTables(tenantsClient)
          .then(() => ensureDevTenant(new DynamoDbTenantStore(LOCAL_RESOURCES.TENANTS_TABLE, tenantsClient), dataDir, options.devToken))
          .finally(() => tenantsClient.destroy()),
      ] as const),
    );

    environment.AWS_ENDPOINT_URL_REKOGNITION = faceService.url;
    exportSdkEnvironment(environment);
    // The handlers' own JSON log lines go where the stack's log goes (nowhere in tests and benchmarks).
    const handlerLog = (entry: Record<string, unknown>) => options.log?.(`lambda ${JSON.stringify(entry)}`);
    const authorizer = createAuthorizerHandler({ ...createAuthorizerDependencies(environment), log: handlerLog });
    const bulkUpload = createBulkUploadHandler({ ...createBulkUploadDependencies(environment), log: handlerLog });
    gateway.serve({
      stage: 'local',
      binaryMediaTypes: ['multipart/form-data'],
      gatewayResponses: deployedGatewayResponses(),
      authorizer: { handler: authorizer, identityHeader: 'Authorization', ttlSeconds: options.authorizerCacheTtlSeconds ?? 300 },
      routes: [
        {
          method: 'POST',
          resource: BULK_UPLOAD_RESOURCE,
          handler: bulkUpload,
          function: { functionName: 'facegate-bulk-upload', timeoutMs: options.uploadTimeoutMs ?? 28_000, memoryLimitInMB: 1024 },
        },
      ],
    });

    const endpoints = { s3: s3.endpoint, dynamodb: dynamodb.endpoint, rekognition: faceService.url };
    await writeState({ pid: process.pid, status: 'ready', url: gateway.url, region: localRegion(), tenantsTable: LOCAL_RESOURCES.TENANTS_TABLE, endpoints });
    return { url: gateway.url, token, dataDir, endpoints, environment, faults, close };
  } catch (error) {
    await close();
    throw error;
  }
}
