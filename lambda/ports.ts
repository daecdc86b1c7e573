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

/** Receives one structured entry per request (production writes it as one JSON line); never tokens or face data. */
export type LogSink = (entry: Record<string, unknown>) => void;
