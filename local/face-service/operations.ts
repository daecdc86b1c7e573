// Rekognition's face operations on top of a FaceEngine and the FaceStore. Each takes the parsed JSON request and
// answers the response object exactly as the SDK's types shape it; failures are RekognitionErrors.
import { EngineImageError, type EngineAnalysis, type EngineFace, type FaceEngine } from './engine/types.js';
import { invalidParameter, RekognitionError } from './errors.js';
import { type Attribute, ATTRIBUTES, projectFaceDetail } from './face-attributes.js';
import { type FaceStore, type IndexedFace, type StoredFace } from './face-store.js';
import { imageIdOf, newFaceId } from './identity.js';
import { type ObjectReader, resolveImage } from './images.js';
import { paginate } from './pagination.js';
import { MAX_INDEXED_FACES, QUALITY_FILTERS, type QualityFilterLevel, qualityReasons, selectFaces } from './quality-filter.js';
import {
  COLLECTION_ID, EXTERNAL_IMAGE_ID, FACE_ID, type JsonObject, NEXT_TOKEN, optionalEnum, optionalEnumList, optionalInteger,
  optionalNumber, optionalString, requiredString, stringList, USER_ID,
} from './validation.js';

/** Collection ARNs need an account; the local service has one fixed, obviously local account id. */
export const LOCAL_ACCOUNT_ID = '000000000000';
const DEFAULT_MATCH_THRESHOLD = 80;
const MAX_SEARCH_RESULTS = 4096;
const DEFAULT_PAGE_SIZE = 1000;

export interface OperationContext {
  store: FaceStore;
  engine: FaceEngine;
  objects: ObjectReader;
  /** Region the client signed the request for; ARNs and S3 reads use it. */
  region: string;
}

export type Operation = (input: JsonObject, context: OperationContext) => Promise<object>;

async function analyze(context: OperationContext, input: JsonObject, field = 'Image'): Promise<{ bytes: Uint8Array; analysis: EngineAnalysis }> {
  const bytes = await resolveImage(input, field, context.objects, context.region);
  try {
    return { bytes, analysis: await context.engine.analyze(bytes) };
  } catch (error) {
    if (!(error instanceof EngineImageError)) throw error;
    if (error.kind === 'ImageTooSmall') throw invalidParameter(`${field} is too small: ${error.message} Each side must be at least 80 pixels.`);
    throw new RekognitionError('InvalidImageFormatException', `Request has invalid image format: ${error.message} Send a JPEG or PNG image.`);
  }
}

const collectionArn = (context: OperationContext, collectionId: string): string =>
  `aws:rekognition:${context.region}:${LOCAL_ACCOUNT_ID}:collection/${collectionId}`;

function existingCollectionId(input: JsonObject, context: OperationContext): string {
  const collectionId = requiredString(input, 'CollectionId', COLLECTION_ID);
  context.store.describeCollection(collectionId);
  return collectionId;
}

function faceView(face: IndexedFace): object {
  return {
    FaceId: face.FaceId,
    BoundingBox: face.BoundingBox,
    ImageId: face.ImageId,
    ...(face.ExternalImageId !== undefined && { ExternalImageId: face.ExternalImageId }),
    Confidence: face.Confidence,
    IndexFacesModelVersion: face.IndexFacesModelVersion,
  };
}

function usableFaces(analysis: EngineAnalysis, level: QualityFilterLevel): EngineFace[] {
  return analysis.faces.filter((face) => qualityReasons(face, level, analysis.width, analysis.height).length === 0);
}

interface SearchOptions {
  maxFaces: number;
  threshold: number;
}

function searchOptions(input: JsonObject): SearchOptions {
  return {
    maxFaces: optionalInteger(input, 'MaxFaces', { min: 1, max: MAX_SEARCH_RESULTS }) ?? MAX_SEARCH_RESULTS,
    threshold: optionalNumber(input, 'FaceMatchThreshold', { min: 0, max: 100 }) ?? DEFAULT_MATCH_THRESHOLD,
  };
}

function searchCollection(context: OperationContext, collectionId: string, probe: number[], { maxFaces, threshold }: SearchOptions, exclude?: string): object[] {
  return context.store
    .listFaces(collectionId)
    .filter((face) => face.FaceId !== exclude)
    .map((face) => ({ Similarity: context.engine.similarity(probe, face.embedding), face }))
    .filter((match) => match.Similarity >= threshold)
    .sort((a, b) => b.Similarity - a.Similarity)
    .slice(0, maxFaces)
    .map((match) => ({ Similarity: match.Similarity, Face: faceView(match.face) }));
}

const createCollection: Operation = async (input, context) => {
  const collectionId = requiredString(input, 'CollectionId', COLLECTION_ID);
  const created = await context.store.createCollection(collectionId, context.engine.modelVersion);
  return { StatusCode: 200, CollectionArn: collectionArn(context, collectionId), FaceModelVersion: created.FaceModelVersion };
};

const describeCollection: Operation = async (input, context) => {
  const collection = context.store.describeCollection(requiredString(input, 'CollectionId', COLLECTION_ID));
  return {
    FaceCount: collection.FaceCount,
    FaceModelVersion: collection.FaceModelVersion,
    CollectionARN: collectionArn(context, collection.CollectionId),
    // AWS JSON sends timestamps as epoch seconds.
    CreationTimestamp: collection.createdAt / 1000,
    UserCount: 0,
  };
};

const listCollections: Operation = async (input, context) => {
  const token = optionalString(input, 'NextToken', NEXT_TOKEN);
  const pageSize = optionalInteger(input, 'MaxResults', { min: 0, max: MAX_SEARCH_RESULTS }) || DEFAULT_PAGE_SIZE;
  const page = paginate(context.store.listCollections(), (collection) => collection.CollectionId, 'collections', pageSize, token);
  return {
    CollectionIds: page.items.map((collection) => collection.CollectionId),
    FaceModelVersions: page.items.map((collection) => collection.FaceModelVersion),
    ...(page.nextToken && { NextToken: page.nextToken }),
  };
};

const deleteCollection: Operation = async (input, context) => {
  await context.store.deleteCollection(requiredString(input, 'CollectionId', COLLECTION_ID));
  return { StatusCode: 200 };
};

const indexFaces: Operation = async (input, context) => {
  const collectionId = existingCollectionId(input, context);
  const externalImageId = optionalString(input, 'ExternalImageId', EXTERNAL_IMAGE_ID);
  const attributes = optionalEnumList(input, 'DetectionAttributes', ATTRIBUTES);
  const maxFaces = optionalInteger(input, 'MaxFaces', { min: 1 }) ?? MAX_INDEXED_FACES;
  const qualityFilter = optionalEnum(input, 'QualityFilter', QUALITY_FILTERS) ?? 'AUTO';
  const { bytes, analysis } = await analyze(context, input);
  const imageId = imageIdOf(bytes);
  const selection = selectFaces(analysis.faces, { qualityFilter, maxFaces, imageWidth: analysis.width, imageHeight: analysis.height });

  const { faces, unindexed } = await context.store.exclusive(collectionId, async () => {
    const existing = await context.store.findImage(collectionId, imageId, externalImageId);
    if (existing) return { faces: existing.faces, unindexed: [] };
    const stored: StoredFace[] = selection.indexed.map((face) => ({
      FaceId: newFaceId(),
      ImageId: imageId,
      ...(externalImageId !== undefined && { ExternalImageId: externalImageId }),
      BoundingBox: face.detail.BoundingBox,
      Confidence: face.detail.Confidence,
      IndexFacesModelVersion: context.engine.modelVersion,
      detail: face.detail,
      embedding: face.embedding,
    }));
    // A photo without an indexable face leaves nothing behind: indexing it again is as cheap as the dedup lookup.
    if (stored.length > 0) await context.store.addImage(collectionId, { ImageId: imageId, ExternalImageId: externalImageId, faces: stored });
    return { faces: stored, unindexed: selection.unindexed };
  });

  return {
    FaceRecords: faces.map((face) => ({ Face: faceView(face), FaceDetail: projectFaceDetail(face.detail, attributes) })),
    FaceModelVersion: context.store.describeCollection(collectionId).FaceModelVersion,
    UnindexedFaces: unindexed.map(({ face, reasons }) => ({ Reasons: reasons, FaceDetail: projectFaceDetail(face.detail, attributes) })),
  };
};

const listFaces: Operation = async (input, context) => {
  const collectionId = existingCollectionId(input, context);
  const token = optionalString(input, 'NextToken', NEXT_TOKEN);
  const pageSize = optionalInteger(input, 'MaxResults', { min: 0, max: MAX_SEARCH_RESULTS }) || DEFAULT_PAGE_SIZE;
  const userId = optionalString(input, 'UserId', USER_ID);
  const faceIds = stringList(input, 'FaceIds', { min: 1, max: MAX_SEARCH_RESULTS }, FACE_ID);
  const wanted = faceIds && new Set(faceIds);
  // No face is ever associated with a user here (no user operations), so a UserId filter matches nothing.
  const faces = userId !== undefined ? [] : context.store.listFaces(collectionId).filter((face) => !wanted || wanted.has(face.FaceId));
  const page = paginate(faces, (face) => face.FaceId, `faces/${collectionId}`, pageSize, token);
  return {
    Faces: page.items.map(faceView),
    FaceModelVersion: context.store.describeCollection(collectionId).FaceModelVersion,
    ...(page.nextToken && { NextToken: page.nextToken }),
  };
};

const deleteFaces: Operation = async (input, context) => {
  const collectionId = existingCollectionId(input, context);
  const faceIds = stringList(input, 'FaceIds', { min: 1, max: MAX_SEARCH_RESULTS }, FACE_ID);
  if (!faceIds) throw invalidParameter('FaceIds is required: the ids of the faces to delete (1 to 4096).');
  return { DeletedFaces: await context.store.deleteFaces(collectionId, faceIds), UnsuccessfulFaceDeletions: [] };
};

const detectFaces: Operation = async (input, context) => {
  const attributes: readonly Attribute[] | undefined = optionalEnumList(input, 'Attributes', ATTRIBUTES);
  const { analysis } = await analyze(context, input);
  return { FaceDetails: analysis.faces.slice(0, MAX_INDEXED_FACES).map((face) => projectFaceDetail(face.detail, attributes)) };
};

const searchFaces: Operation = async (input, context) => {
  const collectionId = existingCollectionId(input, context);
  const faceId = requiredString(input, 'FaceId', FACE_ID);
  const options = searchOptions(input);
  const face = context.store.getFace(collectionId, faceId);
  if (!face) throw invalidParameter(`FaceId ${faceId} is not in collection ${collectionId}. Use a FaceId that IndexFaces or ListFaces returned for it.`);
  return {
    SearchedFaceId: faceId,
    FaceMatches: searchCollection(context, collectionId, face.embedding, options, faceId),
    FaceModelVersion: context.store.describeCollection(collectionId).FaceModelVersion,
  };
};

const searchFacesByImage: Operation = async (input, context) => {
  const collectionId = existingCollectionId(input, context);
  const options = searchOptions(input);
  const qualityFilter = optionalEnum(input, 'QualityFilter', QUALITY_FILTERS) ?? 'NONE';
  const { analysis } = await analyze(context, input);
  const [probe] = usableFaces(analysis, qualityFilter);
  if (!probe) throw invalidParameter('There are no faces in the image. Should be at least 1.');
  return {
    SearchedFaceBoundingBox: probe.detail.BoundingBox,
    SearchedFaceConfidence: probe.detail.Confidence,
    FaceMatches: searchCollection(context, collectionId, probe.embedding, options),
    FaceModelVersion: context.store.describeCollection(collectionId).FaceModelVersion,
  };
};

function comparedFace(face: EngineFace): object {
  const { BoundingBox, Confidence, Landmarks, Pose, Quality, Emotions, Smile } = face.detail;
  return { BoundingBox, Confidence, Landmarks, Pose, Quality, ...(Emotions && { Emotions }), ...(Smile && { Smile }) };
}

const compareFaces: Operation = async (input, context) => {
  const threshold = optionalNumber(input, 'SimilarityThreshold', { min: 0, max: 100 }) ?? DEFAULT_MATCH_THRESHOLD;
  const qualityFilter = optionalEnum(input, 'QualityFilter', QUALITY_FILTERS) ?? 'NONE';
  const source = await analyze(context, input, 'SourceImage');
  const target = await analyze(context, input, 'TargetImage');
  const [sourceFace] = usableFaces(source.analysis, qualityFilter);
  if (!sourceFace) throw invalidParameter('There are no faces in the source image. Should be at least 1.');
  const compared = usableFaces(target.analysis, qualityFilter)
    .slice(0, MAX_INDEXED_FACES)
    .map((face) => ({ face, Similarity: context.engine.similarity(sourceFace.embedding, face.embedding) }));
  return {
    SourceImageFace: { BoundingBox: sourceFace.detail.BoundingBox, Confidence: sourceFace.detail.Confidence },
    FaceMatches: compared
      .filter((match) => match.Similarity >= threshold)
      .sort((a, b) => b.Similarity - a.Similarity)
      .map((match) => ({ Similarity: match.Similarity, Face: comparedFace(match.face) })),
    UnmatchedFaces: compared.filter((match) => match.Similarity < threshold).map((match) => comparedFace(match.face)),
  };
};

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateCollection: createCollection,
  DescribeCollection: describeCollection,
  ListCollections: listCollections,
  DeleteCollection: deleteCollection,
  IndexFaces: indexFaces,
  ListFaces: listFaces,
  DeleteFaces: deleteFaces,
  DetectFaces: detectFaces,
  SearchFaces: searchFaces,
  SearchFacesByImage: searchFacesByImage,
  CompareFaces: compareFaces,
};
