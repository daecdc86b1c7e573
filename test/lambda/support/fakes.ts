// In-memory implementations of the ports, behaving as the AWS services do where the handler can tell.
import { createHash, randomUUID } from 'node:crypto';
import type {
  FaceIndex,
  ImageRecord,
  ImageRecordKey,
  ImageRecordStore,
  ImageStore,
  IndexFacesResult,
  PendingImageRecord,
  QualityFilter,
  StoredImage,
  Tenant,
  TenantStore,
} from '../../../lambda/ports.js';

/** An error shaped like the AWS SDK v3's service exceptions (name, $fault, $metadata), raw message included. */
export function sdkError(name: string, httpStatusCode = 400, message = `${name}: internal detail arn:aws:rekognition:eu-west-1:123456789012`): Error {
  const fault = httpStatusCode >= 500 ? 'server' : 'client';
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode, requestId: 'req-1' } });
}

export class FakeImageStore implements ImageStore {
  readonly objects = new Map<string, { bytes: Uint8Array; contentType: string; metadata: Record<string, string> }>();
  /** Thrown, one per call, before anything is stored. */
  readonly failures: Error[] = [];

  async put(image: Parameters<ImageStore['put']>[0]): Promise<StoredImage> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    // As S3 does with x-amz-checksum-sha256.
    if (createHash('sha256').update(image.bytes).digest('hex') !== image.sha256) throw sdkError('BadDigest');
    this.objects.set(image.key, { bytes: image.bytes, contentType: image.contentType, metadata: image.metadata });
    return { bucket: 'images-bucket', key: image.key };
  }
}

export interface IndexCall {
  collectionId: string;
  image: StoredImage;
  externalImageId: string;
  maxFaces: number;
  qualityFilter: QualityFilter;
}

function faceDetail(left: number) {
  const BoundingBox = { Width: 0.2, Height: 0.35, Left: left, Top: 0.2 };
  return {
    BoundingBox,
    AgeRange: { Low: 28, High: 38 },
    Smile: { Value: false, Confidence: 91.2 },
    Eyeglasses: { Value: false, Confidence: 97.1 },
    Sunglasses: { Value: false, Confidence: 99.6 },
    Gender: { Value: 'Male', Confidence: 99.1 },
    Beard: { Value: false, Confidence: 80.4 },
    Mustache: { Value: false, Confidence: 95.0 },
    EyesOpen: { Value: true, Confidence: 98.2 },
    MouthOpen: { Value: false, Confidence: 90.3 },
    Emotions: [
      { Type: 'CALM', Confidence: 88.1 },
      { Type: 'HAPPY', Confidence: 5.2 },
    ],
    Landmarks: [
      { Type: 'eyeLeft', X: left + 0.05, Y: 0.3 },
      { Type: 'eyeRight', X: left + 0.15, Y: 0.3 },
    ],
    Pose: { Roll: -1.2, Yaw: 3.4, Pitch: -2.1 },
    Quality: { Brightness: 80.2, Sharpness: 92.4 },
    Confidence: 99.99,
    FaceOccluded: { Value: false, Confidence: 99.0 },
    EyeDirection: { Yaw: 1.5, Pitch: -3.2, Confidence: 99.1 },
  };
}

type FaceRecord = IndexFacesResult['FaceRecords'][number];

/**
 * Rekognition's collections and IndexFaces: a call on a missing collection fails with ResourceNotFoundException;
 * each indexed image gets `facesPerImage(externalImageId)` faces; `failures` are thrown one per IndexFaces call.
 * Like Rekognition, indexing the same image (same S3 object) with the same ExternalImageId into the same
 * collection again stores nothing new and answers with the faces stored the first time. Given the image store,
 * it reads the image from it as Rekognition reads S3: a missing original fails with InvalidS3ObjectException.
 */
export class FakeFaceIndex implements FaceIndex {
  readonly collections = new Set<string>();
  readonly indexCalls: IndexCall[] = [];
  readonly createCalls: string[] = [];
  readonly failures: Array<Error | undefined> = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Indexed images by collection, then by image and ExternalImageId: what Rekognition deduplicates on. */
  private readonly indexedImages = new Map<string, Map<string, { imageKey: string; records: FaceRecord[] }>>();

  constructor(
    private readonly facesPerImage: (externalImageId: string) => number = () => 1,
    private readonly originals?: FakeImageStore,
  ) {}

  async ensureCollection(collectionId: string): Promise<void> {
    this.createCalls.push(collectionId);
    await Promise.resolve();
    this.collections.add(collectionId);
  }

  /** Every face of the collection with the S3 key and ExternalImageId it was indexed from. */
  facesOf(collectionId: string): Array<{ faceId: string; imageKey: string; externalImageId: string }> {
    return [...(this.indexedImages.get(collectionId)?.values() ?? [])].flatMap(({ imageKey, records }) =>
      records.map((record) => ({ faceId: record.Face!.FaceId!, imageKey, externalImageId: record.Face!.ExternalImageId! })),
    );
  }

  async indexFaces(request: IndexCall): Promise<IndexFacesResult> {
    this.indexCalls.push(request);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Let the other workers start: concurrency is only observable across awaits.
      await new Promise((resolve) => setImmediate(resolve));
      const failure = this.failures.shift();
      if (failure) throw failure;
      if (!this.collections.has(request.collectionId)) throw sdkError('ResourceNotFoundException');
      if (this.originals && !this.originals.objects.has(request.image.key)) throw sdkError('InvalidS3ObjectException');
      const images = this.indexedImages.get(request.collectionId) ?? new Map<string, { imageKey: string; records: FaceRecord[] }>();
      this.indexedImages.set(request.collectionId, images);
      const dedupKey = JSON.stringify([request.image.key, request.externalImageId]);
      const existing = images.get(dedupKey);
      if (existing) return { FaceRecords: existing.records, FaceModelVersion: '7.0', UnindexedFaces: [] };

      const count = this.facesPerImage(request.externalImageId);
      const imageId = randomUUID();
      const records = Array.from({ length: Math.min(count, request.maxFaces) }, (_, i) => {
        const detail = faceDetail(0.1 + i * 0.05);
        const face = { FaceId: randomUUID(), BoundingBox: detail.BoundingBox, ImageId: imageId, ExternalImageId: request.externalImageId, Confidence: 99.99, IndexFacesModelVersion: '7.0' };
        return { Face: face, FaceDetail: detail };
      });
      // An image without an indexable face leaves nothing in the collection.
      if (records.length > 0) images.set(dedupKey, { imageKey: request.image.key, records });
      return {
        FaceRecords: records,
        FaceModelVersion: '7.0',
        UnindexedFaces: Array.from({ length: Math.max(0, count - request.maxFaces) }, (_, i) => ({
          Reasons: ['EXCEEDS_MAX_FACES'],
          FaceDetail: faceDetail(0.6 + i * 0.01),
        })),
      };
    } finally {
      this.inFlight -= 1;
    }
  }
}

type RecordOperation = keyof ImageRecordStore;

/** The image records table in memory, with DynamoDB's conditional-write semantics; `failNext` queues errors. */
export class FakeImageRecordStore implements ImageRecordStore {
  readonly records = new Map<string, ImageRecord>();
  readonly calls: RecordOperation[] = [];
  private readonly failures = new Map<RecordOperation, Error[]>();

  failNext(operation: RecordOperation, ...errors: Error[]): void {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), ...errors]);
  }

  recordOf(key: ImageRecordKey): ImageRecord | undefined {
    return this.records.get(FakeImageRecordStore.id(key));
  }

  async get(key: ImageRecordKey): Promise<ImageRecord | undefined> {
    await this.enter('get');
    return structuredClone(this.recordOf(key));
  }

  async create(key: ImageRecordKey, record: PendingImageRecord): Promise<boolean> {
    await this.enter('create');
    if (this.recordOf(key)) return false;
    this.records.set(FakeImageRecordStore.id(key), { ...record });
    return true;
  }

  async takeOver(key: ImageRecordKey, previousClaimId: string, claim: { claimId: string; claimExpiresAt: number }): Promise<boolean> {
    await this.enter('takeOver');
    const record = this.recordOf(key);
    if (record?.status !== 'pending' || record.claimId !== previousClaimId) return false;
    this.records.set(FakeImageRecordStore.id(key), { ...record, ...claim });
    return true;
  }

  async complete(key: ImageRecordKey, result: IndexFacesResult): Promise<boolean> {
    await this.enter('complete');
    const record = this.recordOf(key);
    if (record?.status !== 'pending') return false;
    this.records.set(FakeImageRecordStore.id(key), { status: 'complete', externalImageId: record.externalImageId, imageKey: record.imageKey, result: structuredClone(result) });
    return true;
  }

  async release(key: ImageRecordKey, claimId: string): Promise<void> {
    await this.enter('release');
    const record = this.recordOf(key);
    if (record?.status === 'pending' && record.claimId === claimId) this.records.set(FakeImageRecordStore.id(key), { ...record, claimExpiresAt: 0 });
  }

  private static id(key: ImageRecordKey): string {
    return JSON.stringify([key.tenantId, key.collection, key.contentSha256]);
  }

  private async enter(operation: RecordOperation): Promise<void> {
    this.calls.push(operation);
    await Promise.resolve();
    const failure = this.failures.get(operation)?.shift();
    if (failure) throw failure;
  }
}

export class FakeTenantStore implements TenantStore {
  readonly tenants = new Map<string, Tenant>();
  lookups = 0;

  async findByTokenHash(tokenHash: string): Promise<Tenant | undefined> {
    this.lookups += 1;
    return this.tenants.get(tokenHash);
  }

  async create(tenant: Tenant, tokenHash: string): Promise<void> {
    this.tenants.set(tokenHash, tenant);
  }

  async list(): Promise<Tenant[]> {
    return [...this.tenants.values()];
  }

  async revoke(tenantIdOrName: string): Promise<boolean> {
    let found = false;
    for (const [hash, tenant] of this.tenants) {
      if (tenant.tenantId === tenantIdOrName || tenant.name === tenantIdOrName) {
        this.tenants.set(hash, { ...tenant, status: 'revoked' });
        found = true;
      }
    }
    return found;
  }
}
