import { describe, expect, it } from 'vitest';
import { ConfigurationError, readAuthorizerConfig, readBulkUploadConfig } from '../../lambda/config.js';

const MINIMAL = { IMAGES_BUCKET: 'images', IMAGE_RECORDS_TABLE: 'image-records', COLLECTION_PREFIX: 'facegate-prod' };

function refusal(read: () => unknown): ConfigurationError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('the configuration was accepted');
}

describe('readBulkUploadConfig', () => {
  it('applies the documented defaults', () => {
    expect(readBulkUploadConfig(MINIMAL)).toEqual({
      imagesBucket: 'images',
      imageRecordsTable: 'image-records',
      s3ForcePathStyle: false,
      maxAttempts: 5,
      settings: {
        collectionPrefix: 'facegate-prod',
        maxImagesPerRequest: 50,
        maxImageBytes: 15 * 1024 * 1024,
        maxFaces: 100,
        qualityFilter: 'AUTO',
        indexConcurrency: 5,
        timeReserveMs: 8000,
        claimTimeoutMs: 60_000,
      },
    });
  });

  it('reads every optional variable', () => {
    const config = readBulkUploadConfig({
      ...MINIMAL,
      MAX_IMAGES_PER_REQUEST: '10',
      MAX_IMAGE_BYTES: '4000000',
      MAX_FACES: '3',
      QUALITY_FILTER: 'high',
      INDEX_CONCURRENCY: '2',
      TIME_RESERVE_MS: '5000',
      CLAIM_TIMEOUT_SECONDS: '120',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_MAX_ATTEMPTS: '8',
    });
    expect(config).toMatchObject({
      s3ForcePathStyle: true,
      maxAttempts: 8,
      settings: { maxImagesPerRequest: 10, maxImageBytes: 4_000_000, maxFaces: 3, qualityFilter: 'HIGH', indexConcurrency: 2, timeReserveMs: 5000, claimTimeoutMs: 120_000 },
    });
  });

  it('names the missing variable', () => {
    expect(refusal(() => readBulkUploadConfig({ COLLECTION_PREFIX: 'p', IMAGE_RECORDS_TABLE: 't' })).variable).toBe('IMAGES_BUCKET');
    expect(refusal(() => readBulkUploadConfig({ COLLECTION_PREFIX: 'p', IMAGES_BUCKET: 'b' })).variable).toBe('IMAGE_RECORDS_TABLE');
    expect(refusal(() => readBulkUploadConfig({ ...MINIMAL, COLLECTION_PREFIX: ' ' })).message).toMatch(/^COLLECTION_PREFIX is required/);
  });

  it.each([
    ['MAX_IMAGES_PER_REQUEST', 'lots'],
    ['MAX_IMAGES_PER_REQUEST', '0'],
    ['MAX_FACES', '101'],
    ['MAX_IMAGE_BYTES', '1.5'],
    ['MAX_IMAGE_BYTES', String(16 * 1024 * 1024)],
    ['QUALITY_FILTER', 'BEST'],
    ['INDEX_CONCURRENCY', '-1'],
    ['S3_FORCE_PATH_STYLE', 'yes'],
    ['TIME_RESERVE_MS', '-5'],
    ['CLAIM_TIMEOUT_SECONDS', '0'],
    ['COLLECTION_PREFIX', 'has spaces'],
    ['COLLECTION_PREFIX', 'x'.repeat(41)],
  ])('refuses %s=%j, saying what it accepts', (variable, value) => {
    const error = refusal(() => readBulkUploadConfig({ ...MINIMAL, [variable]: value }));
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(value.slice(0, 20));
  });
});

describe('readAuthorizerConfig', () => {
  it('needs the tenants table', () => {
    expect(readAuthorizerConfig({ TENANTS_TABLE: 'tenants' })).toEqual({ tenantsTable: 'tenants', maxAttempts: 5 });
    expect(refusal(() => readAuthorizerConfig({})).variable).toBe('TENANTS_TABLE');
  });
});
