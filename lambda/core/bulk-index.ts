// One upload, image by image: validate, keep the original, index its faces. Each image ends as a result or
// an ImageError of its own; nothing here fails the whole batch.
import type { BulkUploadSettings } from '../config.js';
import type { FaceIndex, ImageStore, IndexFacesResult } from '../ports.js';
import { faceIndexError, ImageError, imageStoreError, isCollectionMissing } from './errors.js';
import { inspectImage } from './image-format.js';
import type { UploadedFile } from './multipart.js';
import { collectionIdFor, externalImageIdFor, imageKeyFor, metadataValue, sha256Hex } from './naming.js';
import { mapWithConcurrency } from './promise-pool.js';

export type ImageOutcome =
  | { externalImageId: string; result: IndexFacesResult; error?: undefined }
  | { externalImageId: string; error: ImageError; result?: undefined };

export interface BulkIndexRequest {
  tenantId: string;
  collection: string;
  files: readonly UploadedFile[];
}

export interface BulkIndexDependencies {
  images: ImageStore;
  faces: FaceIndex;
  settings: BulkUploadSettings;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

/**
 * IndexFaces first, and only when Rekognition answers that the collection does not exist, create it and
 * retry: the usual request costs no extra call. Concurrent images of one request share one creation; a
 * concurrent request creating it too is fine (ensureCollection accepts "already exists").
 */
function collectionCreatingIndexer(faces: FaceIndex, collectionId: string) {
  let creation: Promise<void> | undefined;
  const ensureCreated = () => {
    creation ??= faces.ensureCollection(collectionId).catch((error: unknown) => {
      creation = undefined;
      throw error;
    });
    return creation;
  };
  return async (request: Omit<Parameters<FaceIndex['indexFaces']>[0], 'collectionId'>): Promise<IndexFacesResult> => {
    try {
      return await faces.indexFaces({ ...request, collectionId });
    } catch (error) {
      if (!isCollectionMissing(error)) throw error;
      await ensureCreated();
      return faces.indexFaces({ ...request, collectionId });
    }
  };
}

export async function indexUploadedImages(request: BulkIndexRequest, dependencies: BulkIndexDependencies): Promise<ImageOutcome[]> {
  const { images, faces, settings } = dependencies;
  const indexFaces = collectionCreatingIndexer(faces, collectionIdFor(settings.collectionPrefix, request.tenantId, request.collection));

  async function processImage(file: UploadedFile): Promise<ImageOutcome> {
    const contentSha256 = sha256Hex(file.bytes);
    const externalImageId = externalImageIdFor(file.fileName, contentSha256);
    try {
      if (file.tooLarge) {
        throw new ImageError(
          'IMAGE_TOO_LARGE',
          `This file is larger than ${megabytes(settings.maxImageBytes)}; resize or recompress it below that and upload it again.`,
        );
      }
      const info = inspectImage(file.bytes);
      const stored = await images
        .put({
          key: imageKeyFor(request.tenantId, request.collection, contentSha256, info.format === 'jpeg' ? 'jpg' : 'png'),
          bytes: file.bytes,
          contentType: info.contentType,
          metadata: {
            'original-filename': metadataValue(file.fileName),
            'declared-content-type': metadataValue(file.declaredContentType),
            'external-image-id': externalImageId,
          },
        })
        .catch((error: unknown) => {
          throw imageStoreError(error);
        });
      const result = await indexFaces({ image: stored, externalImageId, maxFaces: settings.maxFaces, qualityFilter: settings.qualityFilter });
      return { externalImageId, result };
    } catch (error) {
      // Validation and storage failures are ImageErrors already; anything else came from the face index.
      return { externalImageId, error: faceIndexError(error) };
    }
  }

  return mapWithConcurrency(request.files, settings.indexConcurrency, processImage);
}
