// Rekognition IndexFaces on images already stored in S3 (S3Object: 15 MB limit, no second upload of bytes).
import {
  CreateCollectionCommand,
  IndexFacesCommand,
  RekognitionClient,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-rekognition';
import type { FaceIndex, IndexFacesResult, QualityFilter, StoredImage } from '../ports.js';
import { awsClientOptions } from './aws-client-options.js';
import { DEFAULTS } from '../config.js';

export interface RekognitionFaceIndexOptions {
  client?: RekognitionClient;
  maxAttempts?: number;
}

export class RekognitionFaceIndex implements FaceIndex {
  private readonly client: RekognitionClient;

  constructor(options: RekognitionFaceIndexOptions = {}) {
    this.client = options.client ?? new RekognitionClient(awsClientOptions(options.maxAttempts ?? DEFAULTS.maxAttempts));
  }

  async ensureCollection(collectionId: string): Promise<void> {
    try {
      await this.client.send(new CreateCollectionCommand({ CollectionId: collectionId }));
    } catch (error) {
      // Another request created it between our IndexFaces and this call: the collection exists, as wanted.
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
    }
  }

  async indexFaces(request: {
    collectionId: string;
    image: StoredImage;
    externalImageId: string;
    maxFaces: number;
    qualityFilter: QualityFilter;
  }): Promise<IndexFacesResult> {
    const { $metadata, ...answer } = await this.client.send(
      new IndexFacesCommand({
        CollectionId: request.collectionId,
        Image: { S3Object: { Bucket: request.image.bucket, Name: request.image.key } },
        ExternalImageId: request.externalImageId,
        DetectionAttributes: ['ALL'],
        MaxFaces: request.maxFaces,
        QualityFilter: request.qualityFilter,
      }),
    );
    return { ...answer, FaceRecords: answer.FaceRecords ?? [], UnindexedFaces: answer.UnindexedFaces ?? [] } as IndexFacesResult;
  }
}
