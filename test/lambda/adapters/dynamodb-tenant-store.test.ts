import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmbiguousTenantError, DynamoDbTenantStore, TenantAlreadyExistsError } from '../../../lambda/adapters/dynamodb-tenant-store.js';
import { generateToken, hashToken } from '../../../lambda/core/tokens.js';
import type { Tenant } from '../../../lambda/ports.js';
import { createTenantsTable, startLocalDynamoDbWithClient } from '../support/local-aws.js';

const TABLE = 'tenants-under-test';
let dynamoDb: Awaited<ReturnType<typeof startLocalDynamoDbWithClient>>;
let client: DynamoDBClient;
let tableNumber = 0;

async function freshStore(): Promise<DynamoDbTenantStore> {
  tableNumber += 1;
  const tableName = `${TABLE}-${tableNumber}`;
  await createTenantsTable(client, tableName);
  return new DynamoDbTenantStore(tableName, client);
}

function tenant(overrides: Partial<Tenant> = {}): Tenant {
  return { tenantId: 't-acme', name: 'acme', status: 'active', createdAt: '2026-01-01T00:00:00.000Z', ...overrides };
}

beforeAll(async () => {
  dynamoDb = await startLocalDynamoDbWithClient();
  client = dynamoDb.client;
});

afterAll(() => dynamoDb?.stop());

describe('DynamoDbTenantStore', () => {
  it('finds a created tenant by the hash of its token', async () => {
    const store = await freshStore();
    const token = generateToken();
    await store.create(tenant(), hashToken(token));
    expect(await store.findByTokenHash(hashToken(token))).toEqual(tenant());
  });

  it('answers undefined for a hash no tenant has', async () => {
    const store = await freshStore();
    await store.create(tenant(), hashToken(generateToken()));
    expect(await store.findByTokenHash(hashToken('not-a-token'))).toBeUndefined();
  });

  it('stores the token hash as the partition key and never the token', async () => {
    const tableName = `${TABLE}-${tableNumber + 1}`;
    const store = await freshStore();
    const token = generateToken();
    await store.create(tenant(), hashToken(token));
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { tokenHash: { S: hashToken(token) } } }));
    expect(Object.keys(Item ?? {}).sort()).toEqual(['createdAt', 'name', 'status', 'tenantId', 'tokenHash']);
    expect(JSON.stringify(Item)).not.toContain(token);
  });

  it('refuses to overwrite a tenant stored under the same token hash', async () => {
    const store = await freshStore();
    const tokenHash = hashToken(generateToken());
    await store.create(tenant(), tokenHash);
    await expect(store.create(tenant({ tenantId: 't-other', name: 'other' }), tokenHash)).rejects.toBeInstanceOf(TenantAlreadyExistsError);
    expect((await store.findByTokenHash(tokenHash))?.tenantId).toBe('t-acme');
  });

  it('lists every tenant, oldest first', async () => {
    const store = await freshStore();
    await store.create(tenant({ tenantId: 't-2', name: 'second', createdAt: '2026-02-01T00:00:00.000Z' }), hashToken('b'));
    await store.create(tenant({ tenantId: 't-1', name: 'first', createdAt: '2026-01-01T00:00:00.000Z' }), hashToken('a'));
    expect((await store.list()).map((listed) => listed.name)).toEqual(['first', 'second']);
  });

  it('revokes a tenant by id so that its token finds it revoked', async () => {
    const store = await freshStore();
    await store.create(tenant(), hashToken('token-a'));
    expect(await store.revoke('t-acme')).toBe(true);
    expect((await store.findByTokenHash(hashToken('token-a')))?.status).toBe('revoked');
  });

  it('revokes the active tenant of a name, leaving others untouched', async () => {
    const store = await freshStore();
    await store.create(tenant({ tenantId: 't-old', status: 'revoked' }), hashToken('old'));
    await store.create(tenant({ tenantId: 't-new' }), hashToken('new'));
    await store.create(tenant({ tenantId: 't-globex', name: 'globex' }), hashToken('globex'));
    expect(await store.revoke('acme')).toBe(true);
    expect((await store.findByTokenHash(hashToken('new')))?.status).toBe('revoked');
    expect((await store.findByTokenHash(hashToken('globex')))?.status).toBe('active');
  });

  it('answers false when no tenant has that id or name', async () => {
    const store = await freshStore();
    await store.create(tenant(), hashToken('a'));
    expect(await store.revoke('nobody')).toBe(false);
  });

  it('refuses to guess when several active tenants share the name', async () => {
    const store = await freshStore();
    await store.create(tenant({ tenantId: 't-1' }), hashToken('a'));
    await store.create(tenant({ tenantId: 't-2' }), hashToken('b'));
    await expect(store.revoke('acme')).rejects.toBeInstanceOf(AmbiguousTenantError);
    expect((await store.list()).every((listed) => listed.status === 'active')).toBe(true);
  });
});
