// The small interfaces core logic and handlers depend on. Adapters in lambda/adapters implement them on AWS;
// tests pass fakes or adapters pointed at the local stand-ins.

export type TenantStatus = 'active' | 'revoked';

export interface Tenant {
  tenantId: string;
  name: string;
  status: TenantStatus;
  createdAt: string;
}

export interface TenantStore {
  /** The tenant whose token hashes to `tokenHash` (hex SHA-256), or undefined when none does. */
  findByTokenHash(tokenHash: string): Promise<Tenant | undefined>;
  /** Stores a new tenant under the hash of its token; the token itself is never stored. */
  create(tenant: Tenant, tokenHash: string): Promise<void>;
  list(): Promise<Tenant[]>;
  /** Marks the tenant revoked; resolves false when no tenant has that id or name. */
  revoke(tenantIdOrName: string): Promise<boolean>;
}

export interface StoredImage {
  bucket: string;
  key: string;
}

export interface ImageStore {
  put(image: {
    key: string;
    bytes: Uint8Array;
    /** SHA-256 of `bytes`, hex: the store checks what it received against it. */
    sha256: string;
    contentType: string;
    metadata: Record<string, string>;
  }): Promise<StoredImage>;
}

export type QualityFilter = 'NONE' | 'AUTO' | 'LOW' | 'MEDIUM' | 'HIGH';

export interface BoundingBox {
  Width?: number;
  Height?: number;
  Left?: number;
  Top?: number;
}

/** IndexFaces' answer as Rekognition shapes it (the SDK output without `$metadata`). */
export interface IndexFacesResult {
  FaceRecords: Array<{
    Face?: { FaceId?: string; BoundingBox?: BoundingBox; ImageId?: string; ExternalImageId?: string; Confidence?: number; [field: string]: unknown };
    FaceDetail?: { [field: string]: unknown };
  }>;
  FaceModelVersion?: string;
  UnindexedFaces: Array<{ Reasons?: string[]; FaceDetail?: { [field: string]: unknown } }>;
  OrientationCorrection?: string;
}

export interface FaceIndex {
  /** Creates the collection when it does not exist; succeeds when another request created it first. */
  ensureCollection(collectionId: string): Promise<void>;
  indexFaces(request: {
    collectionId: string;
    image: StoredImage;
    externalImageId: string;
    maxFaces: number;
    qualityFilter: QualityFilter;
  }): Promise<IndexFacesResult>;
}

/** Identifies one image record: an image's content within one tenant's collection. */
export interface ImageRecordKey {
  tenantId: string;
  collection: string;
  /** Hex SHA-256 of the image bytes. */
  contentSha256: string;
}

/** What every record fixes when it is created, whoever completes it later. */
interface ImageRecordIdentity {
  /** The ExternalImageId every IndexFaces call for this content uses, so a retry under another name adds no face. */
  externalImageId: string;
  /** The S3 key of the original. */
  imageKey: string;
}

/** Claimed by a request that is (or was, before it crashed) storing and indexing the image. */
export interface PendingImageRecord extends ImageRecordIdentity {
  status: 'pending';
  /** Random id of the claim's holder. */
  claimId: string;
  /** Epoch milliseconds after which another request may take the claim over; 0 once released. */
  claimExpiresAt: number;
}

/** Indexed: the IndexFaces answer a repeat of this content gets back. */
export interface CompleteImageRecord extends ImageRecordIdentity {
  status: 'complete';
  result: IndexFacesResult;
}

export type ImageRecord = PendingImageRecord | CompleteImageRecord;

/** One record per (tenant, collection, image content), changed only by conditional writes. */
export interface ImageRecordStore {
  /** The record, read consistently, or undefined when there is none. */
  get(key: ImageRecordKey): Promise<ImageRecord | undefined>;
  /** Creates the record unless one exists; false when one does. */
  create(key: ImageRecordKey, record: PendingImageRecord): Promise<boolean>;
  /** Moves a pending record's claim from `previousClaimId` to a new holder; false when it is no longer that claim. */
  takeOver(key: ImageRecordKey, previousClaimId: string, claim: { claimId: string; claimExpiresAt: number }): Promise<boolean>;
  /** Stores the answer and marks the record complete; false when it is not pending (already complete, or gone). */
  complete(key: ImageRecordKey, result: IndexFacesResult): Promise<boolean>;
  /** Ends a claim early so a retry need not wait for it to expire; does nothing when the claim is not this one. */
  release(key: ImageRecordKey, claimId: string): Promise<void>;
}

/** Receives one structured entry per request (production writes it as one JSON line); never tokens or face data. */
export type LogSink = (entry: Record<string, unknown>) => void;
