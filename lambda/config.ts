// The Lambda environment, read once per container and validated: a wrong deployment fails on its first
// request with an error naming the variable, instead of misbehaving later.
import type { QualityFilter } from './ports.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigurationError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`${variable} ${reason}`);
    this.name = 'ConfigurationError';
  }
}

/** What the upload logic needs; the resource names live in the adapters built from `AdapterSettings`. */
export interface BulkUploadSettings {
  collectionPrefix: string;
  maxImagesPerRequest: number;
  maxImageBytes: number;
  maxFaces: number;
  qualityFilter: QualityFilter;
  indexConcurrency: number;
  /**
   * No new image is started once the Lambda has less time left than this: enough for the images in flight to
   * finish and the answer to go out before the function times out.
   */
  timeReserveMs: number;
  /** How long a claim on an image record holds before another request may take it over (a crashed holder's). */
  claimTimeoutMs: number;
}

export interface AdapterSettings {
  /** Attempts per AWS call, first one included (adaptive retry mode). */
  maxAttempts: number;
}

export interface BulkUploadConfig extends AdapterSettings {
  imagesBucket: string;
  imageRecordsTable: string;
  s3ForcePathStyle: boolean;
  settings: BulkUploadSettings;
}

export interface AuthorizerConfig extends AdapterSettings {
  tenantsTable: string;
}

export const DEFAULTS = {
  maxImagesPerRequest: 50,
  // IndexFaces reads S3Object images up to 15 MB; API Gateway + Lambda cap a request near 4.4 MB anyway.
  maxImageBytes: 15 * 1024 * 1024,
  maxFaces: 100,
  qualityFilter: 'AUTO' as QualityFilter,
  indexConcurrency: 5,
  // An image in flight stores its original and calls IndexFaces, each with the SDK's retries: seconds under
  // throttling. 8 s of the upload function's 28 s leaves 20 s for starting images.
  timeReserveMs: 8000,
  // Well above the upload function's 28 s timeout: a claim this old belongs to a request that no longer runs.
  claimTimeoutSeconds: 60,
  maxAttempts: 5,
} as const;

export const QUALITY_FILTERS: readonly QualityFilter[] = ['NONE', 'AUTO', 'LOW', 'MEDIUM', 'HIGH'];
// Leaves room in Rekognition's 255-character collection id for the tenant and the client's collection name.
export const COLLECTION_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

function required(env: Environment, variable: string): string {
  const value = env[variable]?.trim();
  if (!value) throw new ConfigurationError(variable, 'is required but not set');
  return value;
}

function integer(env: Environment, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(variable, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function qualityFilter(env: Environment): QualityFilter {
  const raw = env.QUALITY_FILTER?.trim().toUpperCase();
  if (!raw) return DEFAULTS.qualityFilter;
  if (!QUALITY_FILTERS.includes(raw as QualityFilter)) {
    throw new ConfigurationError('QUALITY_FILTER', `must be one of ${QUALITY_FILTERS.join(', ')}, got "${env.QUALITY_FILTER}"`);
  }
  return raw as QualityFilter;
}

function boolean(env: Environment, variable: string): boolean {
  const raw = env[variable]?.trim().toLowerCase();
  if (!raw || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigurationError(variable, `must be "true" or "false", got "${env[variable]}"`);
}

function adapterSettings(env: Environment): AdapterSettings {
  return { maxAttempts: integer(env, 'AWS_MAX_ATTEMPTS', DEFAULTS.maxAttempts, 1, 20) };
}

export function readBulkUploadConfig(env: Environment): BulkUploadConfig {
  const collectionPrefix = required(env, 'COLLECTION_PREFIX');
  if (!COLLECTION_PREFIX_PATTERN.test(collectionPrefix)) {
    throw new ConfigurationError(
      'COLLECTION_PREFIX',
      `must be 1 to 40 characters of [A-Za-z0-9_.-] starting with a letter or digit, got "${collectionPrefix}"`,
    );
  }
  return {
    ...adapterSettings(env),
    imagesBucket: required(env, 'IMAGES_BUCKET'),
    imageRecordsTable: required(env, 'IMAGE_RECORDS_TABLE'),
    s3ForcePathStyle: boolean(env, 'S3_FORCE_PATH_STYLE'),
    settings: {
      collectionPrefix,
      maxImagesPerRequest: integer(env, 'MAX_IMAGES_PER_REQUEST', DEFAULTS.maxImagesPerRequest, 1, 1000),
      maxImageBytes: integer(env, 'MAX_IMAGE_BYTES', DEFAULTS.maxImageBytes, 1024, DEFAULTS.maxImageBytes),
      // Rekognition indexes at most 100 faces per image.
      maxFaces: integer(env, 'MAX_FACES', DEFAULTS.maxFaces, 1, 100),
      qualityFilter: qualityFilter(env),
      indexConcurrency: integer(env, 'INDEX_CONCURRENCY', DEFAULTS.indexConcurrency, 1, 100),
      timeReserveMs: integer(env, 'TIME_RESERVE_MS', DEFAULTS.timeReserveMs, 0, 900_000),
      claimTimeoutMs: integer(env, 'CLAIM_TIMEOUT_SECONDS', DEFAULTS.claimTimeoutSeconds, 1, 86_400) * 1000,
    },
  };
}

export function readAuthorizerConfig(env: Environment): AuthorizerConfig {
  return { ...adapterSettings(env), tenantsTable: required(env, 'TENANTS_TABLE') };
}
