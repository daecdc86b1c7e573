import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DeploymentSettings } from './deployment-settings.js';
import { AuthorizerFunction } from './constructs/authorizer-function.js';
import { BulkUploadApi } from './constructs/bulk-upload-api.js';
import { BulkUploadFunction } from './constructs/bulk-upload-function.js';
import { ImageRecordsTable } from './constructs/image-records-table.js';
import { ImagesBucket } from './constructs/images-bucket.js';
import { TenantsTable } from './constructs/tenants-table.js';

export interface FacegateStackProps extends StackProps {
  settings: DeploymentSettings;
}

/** One facegate deployment: wiring only, the parts live in lib/constructs. */
export class FacegateStack extends Stack {
  constructor(scope: Construct, id: string, props: FacegateStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const images = new ImagesBucket(this, 'Images');
    const tenants = new TenantsTable(this, 'Tenants');
    const imageRecords = new ImageRecordsTable(this, 'ImageRecords');

    const authorizer = new AuthorizerFunction(this, 'Authorizer', {
      tenantsTable: tenants.table,
      logRetention: settings.logRetention,
    });
    const bulkUpload = new BulkUploadFunction(this, 'BulkUpload', {
      imagesBucket: images.bucket,
      imageRecordsTable: imageRecords.table,
      collectionPrefix: settings.collectionPrefix,
      limits: settings.limits,
      memorySize: settings.uploadMemoryMb,
      reservedConcurrency: settings.reservedConcurrency,
      logRetention: settings.logRetention,
    });

    const api = new BulkUploadApi(this, 'Api', {
      stage: settings.stage,
      authorizerFunction: authorizer.function,
      uploadFunction: bulkUpload.function,
      throttling: settings.throttling,
      logRetention: settings.logRetention,
      createCloudWatchRole: settings.apiGatewayCloudWatchRole,
    });

    new CfnOutput(this, 'BulkUploadUrl', {
      description: 'POST multipart/form-data here, with "Authorization: <token>"',
      value: api.bulkUploadUrl,
    });
    new CfnOutput(this, 'ImagesBucketName', {
      description: 'Bucket holding every uploaded original',
      value: images.bucket.bucketName,
    });
    new CfnOutput(this, 'TenantsTableName', {
      description: 'Tenants table: npm run tenant -- create <name> --aws writes here',
      value: tenants.table.tableName,
    });
    new CfnOutput(this, 'ImageRecordsTableName', {
      description: 'One record per indexed image content: what makes repeated uploads idempotent',
      value: imageRecords.table.tableName,
    });
    new CfnOutput(this, 'CollectionPrefix', {
      description: 'Every Rekognition collection of this deployment starts with this prefix and a hyphen',
      value: settings.collectionPrefix,
    });
  }
}
