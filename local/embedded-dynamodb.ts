// DynamoDB on loopback (dynalite, the DynamoDB API over LevelDB, in a worker thread), its data on disk under a
// directory so tenants survive a restart; the tables the handlers and `npm run tenant` use, created when missing;
// and how a tenant is provisioned (shared by the dev tenant of `npm start` and by `npm run tenant`, locally or on AWS).
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { IMAGE_RECORD_KEY_ATTRIBUTE } from '../lambda/adapters/dynamodb-image-record-store.js';
import { generateToken, hashToken } from '../lambda/core/tokens.js';
import type { Tenant, TenantStore } from '../lambda/ports.js';
import type { EmbeddedDynamoDbWorkerData } from './embedded-dynamodb-worker.js';
import { startServerInWorker } from './worker-threads.js';

export interface EmbeddedDynamoDb {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export class DataDirectoryInUseError extends Error {
  constructor(directory: string) {
    super(
      `The DynamoDB data in ${directory} is open in another process (is \`npm start\` already running on this DATA_DIR?). ` +
        'Stop it, or choose another DATA_DIR.',
    );
    this.name = 'DataDirectoryInUseError';
  }
}

/** dynalite in a worker thread of its own; `npm run tenant -- --aws` shares the tenant helpers below without it. */
export async function startEmbeddedDynamoDb(options: { directory: string; host?: string; port?: number }): Promise<EmbeddedDynamoDb> {
  await mkdir(options.directory, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const workerData: EmbeddedDynamoDbWorkerData = { directory: options.directory, host, port: options.port ?? 0 };
  const server = await startServerInWorker('dynamodb', new URL('./embedded-dynamodb-worker.ts', import.meta.url), { workerData }).catch((error: unknown) => {
    // LevelDB's code for a lock held by another process, or by another thread of this one.
    throw (error as NodeJS.ErrnoException).code === 'LEVEL_LOCKED' ? new DataDirectoryInUseError(options.directory) : error;
  });
  return { endpoint: `http://${host}:${server.port}`, port: server.port, close: server.close };
}

export interface LocalClientSettings {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export function localDynamoDbClient(endpoint: string, settings: LocalClientSettings): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: settings.region, credentials: settings.credentials, maxAttempts: 1 });
}

/** A table with string keys, as the deployed stack defines it. */
export interface TableDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
}

export const tenantsTable = (name: string): TableDefinition => ({ name, partitionKey: 'tokenHash' });
export const imageRecordsTable = (name: string): TableDefinition => ({ name, partitionKey: IMAGE_RECORD_KEY_ATTRIBUTE });

/** Creates the table unless it exists and waits until it is usable (a locked data directory fails at start). */
export async function ensureTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table.name }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const keys = [
    { AttributeName: table.partitionKey, KeyType: 'HASH' as const },
    ...(table.sortKey ? [{ AttributeName: table.sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  await client.send(
    new CreateTableCommand({
      TableName: table.name,
      AttributeDefinitions: keys.map(({ AttributeName }) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: keys,
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // Until the table is ACTIVE, reads and writes on it answer ResourceNotFoundException.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`The table ${table.name} did not become ACTIVE within 5 s`);
}

export class TenantNameTakenError extends Error {
  constructor(readonly existing: Tenant) {
    super(`An active tenant is already named "${existing.name}" (tenantId ${existing.tenantId}): choose another name, or revoke it first.`);
    this.name = 'TenantNameTakenError';
  }
}

/**
 * Stores a new active tenant under the hash of its token and returns the token (the only time it exists in clear).
 * Names are unique among active tenants, since `revoke` accepts a name.
 */
export async function provisionTenant(
  store: TenantStore,
  request: { name: string; token?: string; tenantId?: string; now?: Date },
): Promise<{ tenant: Tenant; token: string }> {
  const taken = (await store.list()).find((tenant) => tenant.name === request.name && tenant.status === 'active');
  if (taken && taken.tenantId !== request.tenantId) throw new TenantNameTakenError(taken);
  const token = request.token ?? generateToken();
  const tenant: Tenant = {
    // Short and free of '-', so collection ids derived from it stay well within Rekognition's 255 characters.
    tenantId: request.tenantId ?? randomBytes(8).toString('hex'),
    name: request.name,
    status: 'active',
    createdAt: (request.now ?? new Date()).toISOString(),
  };
  await store.create(tenant, hashToken(token));
  return { tenant, token };
}
