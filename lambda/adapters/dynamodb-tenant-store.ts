// Tenants in DynamoDB, one item per token: partition key `tokenHash` (hex SHA-256 of the token), attributes
// tenantId, name, status, createdAt. The token itself is never stored.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Tenant, TenantStatus, TenantStore } from '../ports.js';
import { awsClientOptions } from './aws-client-options.js';
import { DEFAULTS } from '../config.js';

const STATUSES: readonly TenantStatus[] = ['active', 'revoked'];

export class TenantAlreadyExistsError extends Error {
  constructor() {
    super('A tenant is already stored under this token hash');
    this.name = 'TenantAlreadyExistsError';
  }
}

/** A name shared by several tenants: revoking all of them by mistake would lock out the wrong clients. */
export class AmbiguousTenantError extends Error {
  constructor(readonly nameOrId: string, readonly tenantIds: string[]) {
    super(`"${nameOrId}" names ${tenantIds.length} tenants (${tenantIds.join(', ')}); revoke one by its tenant id`);
    this.name = 'AmbiguousTenantError';
  }
}

function tenantFrom(item: Record<string, AttributeValue>): Tenant {
  const { tenantId, name, status, createdAt } = unmarshall(item);
  if (typeof tenantId !== 'string' || typeof name !== 'string' || !STATUSES.includes(status)) {
    throw new Error('Malformed tenant item: expected string tenantId and name and a known status');
  }
  return { tenantId, name, status, createdAt: String(createdAt ?? '') };
}

/** A DynamoDB client with our retry settings, for callers that choose the number of attempts. */
export function createDynamoDbClient(maxAttempts: number): DynamoDBClient {
  return new DynamoDBClient(awsClientOptions(maxAttempts));
}

export class DynamoDbTenantStore implements TenantStore {
  private readonly client: DynamoDBClient;

  constructor(
    private readonly tableName: string,
    client?: DynamoDBClient,
  ) {
    this.client = client ?? createDynamoDbClient(DEFAULTS.maxAttempts);
  }

  async findByTokenHash(tokenHash: string): Promise<Tenant | undefined> {
    // Consistent read: a revocation is seen by the next authorizer call that misses API Gateway's cache.
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ tokenHash }), ConsistentRead: true }),
    );
    return Item ? tenantFrom(Item) : undefined;
  }

  async create(tenant: Tenant, tokenHash: string): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({ tokenHash, ...tenant }),
          ConditionExpression: 'attribute_not_exists(tokenHash)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new TenantAlreadyExistsError();
      throw error;
    }
  }

  async list(): Promise<Tenant[]> {
    return (await this.scanItems()).map(({ tenant }) => tenant);
  }

  /**
   * By tenant id, else by name among active tenants (names are reused once revoked). A name already revoked
   * counts as found; a name shared by several active tenants is refused rather than guessed.
   */
  async revoke(tenantIdOrName: string): Promise<boolean> {
    const items = await this.scanItems();
    const byId = items.filter(({ tenant }) => tenant.tenantId === tenantIdOrName);
    const named = items.filter(({ tenant }) => tenant.name === tenantIdOrName);
    const matching = byId.length > 0 ? byId : named.filter(({ tenant }) => tenant.status === 'active');
    const tenantIds = new Set(matching.map(({ tenant }) => tenant.tenantId));
    if (tenantIds.size > 1) throw new AmbiguousTenantError(tenantIdOrName, [...tenantIds]);
    for (const { tokenHash } of matching) {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshall({ tokenHash }),
          UpdateExpression: 'SET #status = :revoked',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':revoked': 'revoked' }),
        }),
      );
    }
    return matching.length > 0 || named.length > 0;
  }

  // The table holds one small item per tenant token: a paginated scan is the simplest complete listing.
  private async scanItems(): Promise<Array<{ tokenHash: string; tenant: Tenant }>> {
    const items: Array<{ tokenHash: string; tenant: Tenant }> = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      for (const item of page.Items ?? []) {
        items.push({ tokenHash: String(unmarshall(item).tokenHash), tenant: tenantFrom(item) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => a.tenant.createdAt.localeCompare(b.tenant.createdAt));
  }
}
