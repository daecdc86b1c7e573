// Reads S3Object images through the S3 API. The endpoint comes from the SDK's own AWS_ENDPOINT_URL_S3; path-style
// addressing because the local stand-in (s3rver) serves buckets by path.
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { RekognitionError } from './errors.js';
import { imageTooLarge, type ObjectReader, type S3ObjectRef } from './images.js';

const unreadable = (): RekognitionError =>
  new RekognitionError('InvalidS3ObjectException', 'Unable to get object metadata from S3. Check object key, region and/or access permissions.');

export function createS3ObjectReader(): ObjectReader & { close(): void } {
  const clients = new Map<string, S3Client>();
  const clientFor = (region: string): S3Client => {
    let client = clients.get(region);
    if (!client) {
      client = new S3Client({ region, forcePathStyle: true });
      clients.set(region, client);
    }
    return client;
  };
  return {
    async read({ bucket, name, version, region }: S3ObjectRef, maxBytes: number): Promise<Uint8Array> {
      let response;
      try {
        response = await clientFor(region).send(new GetObjectCommand({ Bucket: bucket, Key: name, VersionId: version }));
      } catch (error) {
        if (error instanceof S3ServiceException) throw unreadable();
        throw error;
      }
      if (!response.Body) throw unreadable();
      if ((response.ContentLength ?? 0) > maxBytes) {
        response.Body.transformToWebStream().cancel().catch(() => undefined);
        throw imageTooLarge('15 MB through S3Object');
      }
      return response.Body.transformToByteArray();
    },
    close(): void {
      for (const client of clients.values()) client.destroy();
    },
  };
}
