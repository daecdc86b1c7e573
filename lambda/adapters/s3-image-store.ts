// Originals in S3, kept so faces can be re-indexed when Rekognition's face model changes.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ImageStore, StoredImage } from '../ports.js';
import { awsClientOptions } from './aws-client-options.js';
import { DEFAULTS } from '../config.js';

export interface S3ImageStoreOptions {
  client?: S3Client;
  /** Path-style URLs (`endpoint/bucket/key`): what s3rver and other local stand-ins need. */
  forcePathStyle?: boolean;
  maxAttempts?: number;
}

export class S3ImageStore implements ImageStore {
  private readonly client: S3Client;

  constructor(
    private readonly bucket: string,
    options: S3ImageStoreOptions = {},
  ) {
    this.client =
      options.client ??
      new S3Client({ ...awsClientOptions(options.maxAttempts ?? DEFAULTS.maxAttempts), forcePathStyle: options.forcePathStyle ?? false });
  }

  async put(image: Parameters<ImageStore['put']>[0]): Promise<StoredImage> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: image.key,
        Body: image.bytes,
        // S3 refuses the write unless the bytes it received have this hash. Given, it also spares the SDK from
        // computing a CRC32 of its own over the whole image in JavaScript.
        ChecksumSHA256: Buffer.from(image.sha256, 'hex').toString('base64'),
        ContentType: image.contentType,
        Metadata: image.metadata,
      }),
    );
    return { bucket: this.bucket, key: image.key };
  }
}
