import { readBulkUploadConfig, type BulkUploadSettings } from '../../../lambda/config.js';

/** The upload handler's settings with the production defaults, under a test collection prefix. */
export function testSettings(overrides: Partial<BulkUploadSettings> = {}): BulkUploadSettings {
  const { settings } = readBulkUploadConfig({ IMAGES_BUCKET: 'images', IMAGE_RECORDS_TABLE: 'image-records', COLLECTION_PREFIX: 'facegate-test' });
  return { ...settings, ...overrides };
}
