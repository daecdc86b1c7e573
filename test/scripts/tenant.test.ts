import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbTenantStore } from '../../lambda/adapters/dynamodb-tenant-store.js';
import { hashToken } from '../../lambda/core/tokens.js';
import { ensureTable, localDynamoDbClient, startEmbeddedDynamoDb, tenantsTable, type EmbeddedDynamoDb } from '../../local/embedded-dynamodb.js';
import { localClientSettings, localTenantsTable, type RunningStackState } from '../../local/stack.js';
import { runTenantCommand } from '../../scripts/tenant.js';

let dataDir: string;
const cleanups: Array<() => Promise<void>> = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'facegate-tenant-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function cli(argv: string[], env: Record<string, string | undefined> = { DATA_DIR: dataDir }) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTenantCommand(argv, { env, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const tokenIn = (output: string) => /Token, shown only this once: (\S+)/.exec(output)?.[1];

/** A DynamoDB with the tenants table, standing in for the one of a running stack or of AWS. */
async function tenantsDatabase(directory: string): Promise<{ dynamodb: EmbeddedDynamoDb; store: DynamoDbTenantStore }> {
  const dynamodb = await startEmbeddedDynamoDb({ directory });
  const client = localDynamoDbClient(dynamodb.endpoint, localClientSettings());
  await ensureTable(client, tenantsTable(localTenantsTable));
  cleanups.push(async () => {
    client.destroy();
    await dynamodb.close();
  });
  return { dynamodb, store: new DynamoDbTenantStore(localTenantsTable, client) };
}

describe('npm run tenant: usage', () => {
  it.each([
    [[], 'No command given.'],
    [['delete', 'x'], 'Unknown command "delete".'],
    [['create'], 'create needs the tenant name.'],
    [['revoke'], 'revoke needs a tenantId or name.'],
    [['list', 'extra'], 'Unexpected argument "extra".'],
    [['list', '--table', 'tenants'], '--table applies to --aws only.'],
    [['create', '../etc'], 'A tenant name is 1 to 100 letters'],
    [['list', '--verbose'], "Unknown option '--verbose'"],
  ])('answers %j with exit code 2, the reason and the usage', async (argv, reason) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(reason);
    expect(result.err).toContain('Usage:');
  });

  it('asks for the table when --aws has neither TENANTS_TABLE nor --table', async () => {
    const result = await cli(['list', '--aws'], {});
    expect(result.code).toBe(2);
    expect(result.err).toContain('set TENANTS_TABLE or pass --table');
  });
});

describe('npm run tenant on local data, with no stack running', () => {
  it('creates a tenant whose token is printed once and stored only as its hash', async () => {
    const created = await cli(['create', 'acme']);
    expect(created.code).toBe(0);
    const token = tokenIn(created.out)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await cli(['list']);
    expect(listed.out).toMatch(/^[0-9a-f]{16}\tacme\tactive\t\d{4}-/);
    expect(listed.out).not.toContain(token);
    const { store } = await tenantsDatabase(join(dataDir, 'dynamodb'));
    expect(await store.findByTokenHash(hashToken(token))).toMatchObject({ name: 'acme', status: 'active' });
  });

  it('refuses a second active tenant with the same name', async () => {
    await cli(['create', 'acme']);
    const again = await cli(['create', 'acme']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('An active tenant is already named "acme"');
  });

  it('revokes a tenant by name, and says so when no tenant matches', async () => {
    await cli(['create', 'acme']);
    const revoked = await cli(['revoke', 'acme']);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toContain('Revoked "acme"');
    expect((await cli(['list'])).out).toMatch(/\tacme\trevoked\t/);
    const unknown = await cli(['revoke', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No tenant has the id or name "nobody"');
  });

  it('says there are no tenants yet on fresh data', async () => {
    expect((await cli(['list'])).out).toContain('No tenants yet');
  });

  it('refuses to list or revoke in a directory that holds no data, naming DATA_DIR', async () => {
    for (const argv of [['list'], ['revoke', 'acme']]) {
      const result = await cli(argv, { DATA_DIR: join(dataDir, 'missing') });
      expect(result.code).toBe(1);
      expect(result.err).toContain('There is no local data in');
      expect(result.err).toContain('DATA_DIR');
    }
  });

  it('waits for a stack that is still starting instead of opening its data', async () => {
    await writeFile(join(dataDir, 'stack.json'), JSON.stringify({ pid: process.pid, status: 'starting' }));
    const result = await cli(['list']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('is starting');
  });
});

describe('npm run tenant with a stack running on the data directory', () => {
  it("talks to the running stack's DynamoDB instead of opening the data", async () => {
    const { dynamodb, store } = await tenantsDatabase(join(dataDir, 'elsewhere'));
    const state: RunningStackState = {
      pid: process.pid,
      status: 'ready',
      url: 'http://127.0.0.1:1',
      region: localClientSettings().region,
      tenantsTable: localTenantsTable,
      endpoints: { s3: 'http://127.0.0.1:1', dynamodb: dynamodb.endpoint, rekognition: 'http://127.0.0.1:1' },
    };
    await writeFile(join(dataDir, 'stack.json'), JSON.stringify(state));
    const created = await cli(['create', 'acme']);
    expect(created.code).toBe(0);
    expect(await store.findByTokenHash(hashToken(tokenIn(created.out)!))).toMatchObject({ name: 'acme' });
  });
});

describe('npm run tenant --aws', () => {
  it('uses the table named by TENANTS_TABLE through the default AWS configuration', async () => {
    const { dynamodb, store } = await tenantsDatabase(join(dataDir, 'aws-stand-in'));
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    cleanups.push(async () => {
      process.env = saved;
    });
    const created = await cli(['create', 'acme', '--aws'], { TENANTS_TABLE: localTenantsTable });
    expect(created.code).toBe(0);
    expect(await store.findByTokenHash(hashToken(tokenIn(created.out)!))).toMatchObject({ name: 'acme', status: 'active' });
    const listed = await cli(['list', '--aws', '--table', localTenantsTable], {});
    expect(listed.out).toMatch(/\tacme\tactive\t/);
  });
});
