// Production wiring from the Lambda environment; the local stack calls the same builders.
import { DynamoDbImageRecordStore } from './adapters/dynamodb-image-record-store.js';
import { createDynamoDbClient, DynamoDbTenantStore } from './adapters/dynamodb-tenant-store.js';
import { RekognitionFaceIndex } from './adapters/rekognition-face-index.js';
import { S3ImageStore } from './adapters/s3-image-store.js';
import { readAuthorizerConfig, readBulkUploadConfig, type BulkUploadSettings, type Environment } from './config.js';
import type { FaceIndex, ImageRecordStore, ImageStore, TenantStore } from './ports.js';

export function createAuthorizerDependencies(env: Environment): { tenants: TenantStore } {
  const config = readAuthorizerConfig(env);
  return { tenants: new DynamoDbTenantStore(config.tenantsTable, createDynamoDbClient(config.maxAttempts)) };
}

export function createBulkUploadDependencies(env: Environment): {
  images: ImageStore;
  faces: FaceIndex;
  records: ImageRecordStore;
  config: BulkUploadSettings;
} {
  const config = readBulkUploadConfig(env);
  return {
    records: new DynamoDbImageRecordStore(config.imageRecordsTable, createDynamoDbClient(config.maxAttempts)),
    images: new S3ImageStore(config.imagesBucket, { forcePathStyle: config.s3ForcePathStyle, maxAttempts: config.maxAttempts }),
    faces: new RekognitionFaceIndex({ maxAttempts: config.maxAttempts }),
    config: config.settings,
  };
}
