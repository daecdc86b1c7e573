import { ArnFormat, CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { DeploymentSettings } from '../deployment-settings.js';
import { BundledFunction } from './bundled-function.js';

export interface BulkUploadFunctionProps {
  imagesBucket: IBucket;
  imageRecordsTable: ITable;
  collectionPrefix: string;
  limits: DeploymentSettings['limits'];
  memorySize: number;
  reservedConcurrency?: number;
  logRetention: RetentionDays;
}

/**
 * The upload handler: stores originals in its bucket, indexes them into this deployment's collections and keeps
 * a record of each in the image records table, and may reach nothing else.
 */
export class BulkUploadFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props: BulkUploadFunctionProps) {
    const { limits } = props;
    super(scope, id, {
      entry: 'lambda/handlers/bulk-upload.ts',
      description: 'facegate bulk face indexing',
      environment: {
        IMAGES_BUCKET: props.imagesBucket.bucketName,
        IMAGE_RECORDS_TABLE: props.imageRecordsTable.tableName,
        COLLECTION_PREFIX: props.collectionPrefix,
        MAX_IMAGES_PER_REQUEST: String(limits.maxImagesPerRequest),
        MAX_IMAGE_BYTES: String(limits.maxImageBytes),
        MAX_FACES: String(limits.maxFaces),
        QUALITY_FILTER: limits.qualityFilter,
        INDEX_CONCURRENCY: String(limits.indexConcurrency),
      },
      // Parsing a ~6 MB event holds the body several times over; memory also buys CPU for hashing.
      memorySize: props.memorySize,
      // Below API Gateway's 29 s integration timeout: past it the client has its answer (504), so the function
      // must not go on indexing behind it.
      timeout: Duration.seconds(28),
      reservedConcurrentExecutions: props.reservedConcurrency,
      logRetention: props.logRetention,
    });

    const objects = props.imagesBucket.arnForObjects('*');
    // IndexFaces reads the stored original by S3Object with the caller's credentials, hence GetObject.
    this.allow(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }));

    // Records are read, created and updated with conditions, never deleted or listed.
    this.allow(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.imageRecordsTable.tableArn],
      }),
    );

    const collections = Stack.of(this).formatArn({
      service: 'rekognition',
      resource: 'collection',
      resourceName: `${props.collectionPrefix}-*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.allow(
      new PolicyStatement({
        // ensureCollection creates the collection and treats "already exists" as success: no Describe/List.
        actions: ['rekognition:CreateCollection', 'rekognition:IndexFaces'],
        resources: [collections],
      }),
    );

    Validations.of(this.role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(props.imagesBucket)}.Arn>/*]`,
        reason: 'Object keys are content hashes known only at upload time; access stays inside the images bucket.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rekognition:<AWS::Region>:<AWS::AccountId>:collection/${props.collectionPrefix}-*]`,
        reason:
          'Collections are created on demand, one per tenant and collection name, all under this deployment\'s ' +
          'prefix; the wildcard stops at that prefix.',
      },
    );
  }
}

/** The bucket's final logical id (overrides included), as cdk-nag names it in its findings. */
function logicalIdOf(bucket: IBucket): string {
  const resource = bucket.node.defaultChild;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${bucket.node.path} is not a bucket of this app`);
  return Stack.of(bucket).resolve(resource.logicalId) as string;
}
