// The local stand-ins the adapter tests talk to, on free loopback ports with throwaway data directories.
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureTable, imageRecordsTable, startEmbeddedDynamoDb, tenantsTable, type TableDefinition } from '../../../local/embedded-dynamodb.js';
import { startEmbeddedS3 } from '../../../local/embedded-s3.js';

export const LOCAL_CLIENT_SETTINGS = {
  region: 'eu-west-1',
  // s3rver's documented credentials; dynalite accepts any.
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
} as const;

export interface LocalService {
  endpoint: string;
  directory: string;
  stop(): Promise<void>;
}

async function withTemporaryDirectory(
  prefix: string,
  start: (directory: string) => Promise<{ endpoint: string; close(): Promise<void> }>,
): Promise<LocalService> {
  const directory = await mkdtemp(path.join(tmpdir(), prefix));
  const service = await start(directory);
  return {
    endpoint: service.endpoint,
    directory,
    async stop() {
      await service.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export function startLocalDynamoDb(): Promise<LocalService> {
  return withTemporaryDirectory('facegate-dynamodb-', (directory) => startEmbeddedDynamoDb({ directory }));
}

/** dynalite and a client for it; `stop` destroys the client and stops the service. */
export async function startLocalDynamoDbWithClient(): Promise<{ client: DynamoDBClient; stop(): Promise<void> }> {
  const dynamoDb = await startLocalDynamoDb();
  const client = new DynamoDBClient({ ...LOCAL_CLIENT_SETTINGS, endpoint: dynamoDb.endpoint });
  return {
    client,
    async stop() {
      client.destroy();
      await dynamoDb.stop();
    },
  };
}

export function startLocalS3(buckets: string[]): Promise<LocalService> {
  return withTemporaryDirectory('facegate-s3-', (directory) => startEmbeddedS3({ directory, buckets }));
}

async function createTable(client: DynamoDBClient, table: TableDefinition): Promise<void> {
  await ensureTable(client, table);
  // dynalite answers CreateTable before the table accepts writes.
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { TableName: table.name });
}

/** The tenants table as the local stack creates it, ready for writes when this resolves. */
export function createTenantsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return createTable(client, tenantsTable(tableName));
}

/** The image records table as the local stack creates it, ready for writes when this resolves. */
export function createImageRecordsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  return createTable(client, imageRecordsTable(tableName));
}

/** Sets process.env variables (the SDK reads them when a client is built); the returned function restores them. */
export function setEnvironment(variables: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** The SDK's own variables pointing one service at a local stand-in, with the local region and credentials. */
export function localSdkEnvironment(endpoints: Partial<Record<'S3' | 'DYNAMODB' | 'REKOGNITION', string>>): Record<string, string> {
  return {
    AWS_REGION: LOCAL_CLIENT_SETTINGS.region,
    AWS_ACCESS_KEY_ID: LOCAL_CLIENT_SETTINGS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CLIENT_SETTINGS.credentials.secretAccessKey,
    ...Object.fromEntries(Object.entries(endpoints).map(([service, endpoint]) => [`AWS_ENDPOINT_URL_${service}`, endpoint])),
  };
}
