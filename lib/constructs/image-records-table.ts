import { Construct } from 'constructs';
import { RetainedTable } from './retained-table.js';

/** The partition key lambda/adapters/dynamodb-image-record-store.ts writes (a test keeps the two equal). */
export const IMAGE_RECORDS_PARTITION_KEY = 'recordKey';

/**
 * One record per (tenant, collection, image content): which ExternalImageId the content was indexed under and
 * the IndexFaces answer a repeat gets back. It mirrors the faces in the Rekognition collections, so it is kept
 * like them: losing it would make every repeat a new face.
 */
export class ImageRecordsTable extends RetainedTable {
  constructor(scope: Construct, id: string) {
    super(scope, id, { partitionKey: IMAGE_RECORDS_PARTITION_KEY, logicalId: 'ImageRecordsTable' });
  }
}
