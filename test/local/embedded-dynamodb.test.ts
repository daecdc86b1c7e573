import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DataDirectoryInUseError, localDynamoDbClient, startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../local/embedded-dynamodb.js';

const running: EmbeddedDynamoDb[] = [];
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((dynamodb) => dynamodb.close()));
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

async function dataDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'facegate-dynamodb-'));
  directories.push(directory);
  return directory;
}

describe('the embedded DynamoDB', () => {
  it('answers the DynamoDB API on a free loopback port', async () => {
    const dynamodb = await startEmbeddedDynamoDb({ directory: await dataDirectory() });
    running.push(dynamodb);
    const client = localDynamoDbClient(dynamodb.endpoint, { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('refuses at start, with a clear error, data that another instance holds open', async () => {
    const directory = await dataDirectory();
    running.push(await startEmbeddedDynamoDb({ directory }));
    await expect(startEmbeddedDynamoDb({ directory })).rejects.toBeInstanceOf(DataDirectoryInUseError);
  });
});
