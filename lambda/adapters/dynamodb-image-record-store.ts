// Image records in DynamoDB, one item per (tenant, collection, image content), every change a conditional write.
// Partition key `recordKey` (S): `<url-encoded tenant id>/<collection>/<hex SHA-256 of the content>`, injective
// because neither an encoded tenant id's separators nor a collection name nor a hash contains `/`.
// The IndexFaces answer is stored gzip-compressed (`answer`, B): 100 faces with every attribute come to about
// 380 KB of JSON, at DynamoDB's 400 KB item limit, and to about 110 KB compressed.
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DEFAULTS } from '../config.js';
import type { ImageRecord, ImageRecordKey, ImageRecordStore, IndexFacesResult, PendingImageRecord } from '../ports.js';
import { createDynamoDbClient } from './dynamodb-tenant-store.js';

export const IMAGE_RECORD_KEY_ATTRIBUTE = 'recordKey';

export function recordKeyOf(key: ImageRecordKey): string {
  return `${encodeURIComponent(key.tenantId)}/${key.collection}/${key.contentSha256}`;
}

// `status` is a DynamoDB reserved word.
const NAMES = { '#status': 'status' };
const PENDING_WITH_CLAIM = '#status = :pending AND claimId = :claimId';

function recordFrom(item: Record<string, AttributeValue>): ImageRecord {
  const { status, externalImageId, imageKey, claimId, claimExpiresAt, answer } = unmarshall(item);
  if (typeof externalImageId !== 'string' || typeof imageKey !== 'string') throw new Error('Malformed image record: no externalImageId or imageKey');
  if (status === 'complete' && answer instanceof Uint8Array) {
    return { status, externalImageId, imageKey, result: JSON.parse(gunzipSync(answer).toString('utf8')) as IndexFacesResult };
  }
  if (status === 'pending' && typeof claimId === 'string' && typeof claimExpiresAt === 'number') {
    return { status, externalImageId, imageKey, claimId, claimExpiresAt };
  }
  throw new Error(`Malformed image record: status ${JSON.stringify(status)} without its fields`);
}

export class DynamoDbImageRecordStore implements ImageRecordStore {
  private readonly client: DynamoDBClient;

  constructor(
    private readonly tableName: string,
    client?: DynamoDBClient,
  ) {
    this.client = client ?? createDynamoDbClient(DEFAULTS.maxAttempts);
  }

  async get(key: ImageRecordKey): Promise<ImageRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.keyOf(key), ConsistentRead: true }),
    );
    return Item ? recordFrom(Item) : undefined;
  }

  async create(key: ImageRecordKey, record: PendingImageRecord): Promise<boolean> {
    return this.conditionally(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall({
            [IMAGE_RECORD_KEY_ATTRIBUTE]: recordKeyOf(key),
            tenantId: key.tenantId,
            collection: key.collection,
            contentSha256: key.contentSha256,
            createdAt: new Date().toISOString(),
            ...record,
          }),
          ConditionExpression: `attribute_not_exists(${IMAGE_RECORD_KEY_ATTRIBUTE})`,
        }),
      ),
    );
  }

  async takeOver(key: ImageRecordKey, previousClaimId: string, claim: { claimId: string; claimExpiresAt: number }): Promise<boolean> {
    return this.conditionally(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          UpdateExpression: 'SET claimId = :newClaimId, claimExpiresAt = :claimExpiresAt',
          ConditionExpression: PENDING_WITH_CLAIM,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: marshall({
            ':pending': 'pending',
            ':claimId': previousClaimId,
            ':newClaimId': claim.claimId,
            ':claimExpiresAt': claim.claimExpiresAt,
          }),
        }),
      ),
    );
  }

  async complete(key: ImageRecordKey, result: IndexFacesResult): Promise<boolean> {
    return this.conditionally(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          UpdateExpression: 'SET #status = :complete, answer = :answer, faceCount = :faceCount, completedAt = :completedAt REMOVE claimId, claimExpiresAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: marshall({
            ':pending': 'pending',
            ':complete': 'complete',
            ':answer': gzipSync(JSON.stringify(result)),
            ':faceCount': result.FaceRecords.length,
            ':completedAt': new Date().toISOString(),
          }),
        }),
      ),
    );
  }

  async release(key: ImageRecordKey, claimId: string): Promise<void> {
    await this.conditionally(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(key),
          UpdateExpression: 'SET claimExpiresAt = :released',
          ConditionExpression: PENDING_WITH_CLAIM,
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: marshall({ ':pending': 'pending', ':claimId': claimId, ':released': 0 }),
        }),
      ),
    );
  }

  private keyOf(key: ImageRecordKey): Record<string, AttributeValue> {
    return marshall({ [IMAGE_RECORD_KEY_ATTRIBUTE]: recordKeyOf(key) });
  }

  /** True when the write happened, false when its condition did not hold. */
  private async conditionally(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
