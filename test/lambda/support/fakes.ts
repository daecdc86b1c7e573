// In-memory implementations of the ports, behaving as the AWS services do where the handler can tell.
import { randomUUID } from 'node:crypto';
import type { FaceIndex, ImageStore, IndexFacesResult, QualityFilter, StoredImage, Tenant, TenantStore } from '../../../lambda/ports.js';

/** An error shaped like the AWS SDK v3's service exceptions (name, $fault, $metadata), raw message included. */
export function sdkError(name: string, httpStatusCode = 400, message = `${name}: internal detail arn:aws:rekognition:eu-west-1:123456789012`): Error {
  const fault = httpStatusCode >= 500 ? 'server' : 'client';
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode, requestId: 'req-1' } });
}

export class FakeImageStore implements ImageStore {
  readonly objects = new Map<string, { bytes: Uint8Array; contentType: string; metadata: Record<string, string> }>();
  /** Thrown, one per call, before anything is stored. */
  readonly failures: Error[] = [];

  async put(image: { key: string; bytes: Uint8Array; contentType: string; metadata: Record<string, string> }): Promise<StoredImage> {
    const failure = this.failures.shift();
    if (failure) throw failure;
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

/**
 * Rekognition's collections and IndexFaces: a call on a missing collection fails with ResourceNotFoundException;
 * each indexed image gets `facesPerImage(externalImageId)` faces; `failures` are thrown one per IndexFaces call.
 */
export class FakeFaceIndex implements FaceIndex {
  readonly collections = new Set<string>();
  readonly indexCalls: IndexCall[] = [];
  readonly createCalls: string[] = [];
  readonly faces = new Map<string, string[]>();
  readonly failures: Array<Error | undefined> = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly facesPerImage: (externalImageId: string) => number = () => 1) {}

  async ensureCollection(collectionId: string): Promise<void> {
    this.createCalls.push(collectionId);
    await Promise.resolve();
    this.collections.add(collectionId);
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
      const count = this.facesPerImage(request.externalImageId);
      const imageId = randomUUID();
      const records = Array.from({ length: Math.min(count, request.maxFaces) }, (_, i) => {
        const detail = faceDetail(0.1 + i * 0.05);
        const face = { FaceId: randomUUID(), BoundingBox: detail.BoundingBox, ImageId: imageId, ExternalImageId: request.externalImageId, Confidence: 99.99, IndexFacesModelVersion: '7.0' };
        return { Face: face, FaceDetail: detail };
      });
      const stored = this.faces.get(request.collectionId) ?? [];
      this.faces.set(request.collectionId, [...stored, ...records.map((record) => record.Face.FaceId)]);
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
