// Collections and their faces, kept in memory for search and persisted under dataDir:
//   collections/<sha256(collection id)>/collection.json
//   collections/<sha256(collection id)>/images/<sha256(image id, external image id)>.json
// One file per indexed image, so IndexFaces writes one small file instead of rewriting the collection, and the
// file name is the deduplication key. Directory names are hashes because ids like ".." match Rekognition's pattern.
// Memory holds only what search and listing need of each face (about 12 KB, two thirds of it the embedding); the
// FaceDetail, needed again only when the same image is indexed again or loses some of its faces, is read back from
// the image's file.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EngineFaceDetail, Ratio } from './engine/types.js';
import { fsyncDirectory, removeFileDurably, TEMP_SUFFIX, writeFileAtomic } from './atomic-file.js';
import { RekognitionError } from './errors.js';
import { KeyedMutex } from './keyed-mutex.js';

/** A face as search and listing see it. */
export interface IndexedFace {
  FaceId: string;
  ImageId: string;
  ExternalImageId?: string;
  BoundingBox: Ratio;
  Confidence: number;
  IndexFacesModelVersion: string;
  embedding: number[];
}

export interface StoredFace extends IndexedFace {
  /** Everything the engine measured (DetectionAttributes ALL), so a repeated IndexFaces can answer any projection. */
  detail: EngineFaceDetail;
}

export interface StoredImage {
  ImageId: string;
  ExternalImageId?: string;
  faces: StoredFace[];
}

export interface CollectionInfo {
  CollectionId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  FaceModelVersion: string;
  FaceCount: number;
}

interface CollectionState {
  info: Omit<CollectionInfo, 'FaceCount'>;
  directory: string;
  /** Keys of the indexed images (their files hold the faces in full). */
  images: Set<string>;
  faces: Map<string, { face: IndexedFace; imageKey: string }>;
}

const COLLECTION_FILE = 'collection.json';
const IMAGES_DIRECTORY = 'images';
/** Prefix of a collection directory being deleted: renamed first (atomic), removed after; swept on start. */
const DELETING_PREFIX = '.deleting-';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const imageKey = (imageId: string, externalImageId: string | undefined): string =>
  sha256(`${imageId}\n${externalImageId ?? ''}`);

/**
 * The in-memory copy of a face: no FaceDetail, and the embedding as a packed array of doubles (8 KB). An array
 * arriving from a worker thread (structured clone) holds each number boxed on its own, three times the size.
 */
function indexedFace(face: StoredFace): IndexedFace {
  return {
    FaceId: face.FaceId,
    ImageId: face.ImageId,
    ...(face.ExternalImageId !== undefined && { ExternalImageId: face.ExternalImageId }),
    BoundingBox: face.BoundingBox,
    Confidence: face.Confidence,
    IndexFacesModelVersion: face.IndexFacesModelVersion,
    embedding: face.embedding.map(Number),
  };
}

const collectionNotFound = (collectionId: string): RekognitionError =>
  new RekognitionError('ResourceNotFoundException', `The collection id: ${collectionId} does not exist`);

export class FaceStore {
  private readonly collections = new Map<string, CollectionState>();
  private readonly mutex = new KeyedMutex();

  private constructor(private readonly root: string) {}

  static async open(dataDir: string): Promise<FaceStore> {
    const store = new FaceStore(path.join(dataDir, 'collections'));
    await mkdir(store.root, { recursive: true });
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      const directory = path.join(this.root, entry.name);
      if (entry.name.startsWith(DELETING_PREFIX)) {
        await rm(directory, { recursive: true, force: true });
        continue;
      }
      if (!entry.isDirectory()) continue;
      const state = await this.loadCollection(directory);
      // A directory without collection.json is a CreateCollection killed before it finished: it never existed.
      if (state) this.collections.set(state.info.CollectionId, state);
      else await rm(directory, { recursive: true, force: true });
    }
  }

  private async loadCollection(directory: string): Promise<CollectionState | undefined> {
    let info: CollectionState['info'];
    try {
      info = JSON.parse(await readFile(path.join(directory, COLLECTION_FILE), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const state: CollectionState = { info, directory, images: new Set(), faces: new Map() };
    const imagesDirectory = path.join(directory, IMAGES_DIRECTORY);
    for (const name of await readdir(imagesDirectory)) {
      if (name.endsWith(TEMP_SUFFIX)) {
        await rm(path.join(imagesDirectory, name), { force: true });
        continue;
      }
      const image: StoredImage = JSON.parse(await readFile(path.join(imagesDirectory, name), 'utf8'));
      this.remember(state, image);
    }
    return state;
  }

  private remember(state: CollectionState, image: StoredImage): void {
    const key = imageKey(image.ImageId, image.ExternalImageId);
    state.images.add(key);
    for (const face of image.faces) state.faces.set(face.FaceId, { face: indexedFace(face), imageKey: key });
  }

  private state(collectionId: string): CollectionState {
    const state = this.collections.get(collectionId);
    if (!state) throw collectionNotFound(collectionId);
    return state;
  }

  private imagePath(state: CollectionState, key: string): string {
    return path.join(state.directory, IMAGES_DIRECTORY, `${key}.json`);
  }

  private async readImage(state: CollectionState, key: string): Promise<StoredImage> {
    return JSON.parse(await readFile(this.imagePath(state, key), 'utf8')) as StoredImage;
  }

  /** Serialises every change to one collection; reads need no lock (they see the in-memory state). */
  exclusive<T>(collectionId: string, task: () => Promise<T>): Promise<T> {
    return this.mutex.run(collectionId, task);
  }

  createCollection(collectionId: string, faceModelVersion: string): Promise<CollectionInfo> {
    return this.exclusive(collectionId, async () => {
      if (this.collections.has(collectionId)) {
        throw new RekognitionError('ResourceAlreadyExistsException', `The collection id: ${collectionId} already exists`);
      }
      const directory = path.join(this.root, sha256(collectionId));
      await rm(directory, { recursive: true, force: true });
      await mkdir(path.join(directory, IMAGES_DIRECTORY), { recursive: true });
      const info = { CollectionId: collectionId, createdAt: Date.now(), FaceModelVersion: faceModelVersion };
      await writeFileAtomic(path.join(directory, COLLECTION_FILE), JSON.stringify(info));
      await fsyncDirectory(this.root);
      this.collections.set(collectionId, { info, directory, images: new Set(), faces: new Map() });
      return { ...info, FaceCount: 0 };
    });
  }

  describeCollection(collectionId: string): CollectionInfo {
    const state = this.state(collectionId);
    return { ...state.info, FaceCount: state.faces.size };
  }

  /** Every collection, ordered by id so pagination is stable. */
  listCollections(): CollectionInfo[] {
    return [...this.collections.keys()].sort().map((id) => this.describeCollection(id));
  }

  deleteCollection(collectionId: string): Promise<void> {
    return this.exclusive(collectionId, async () => {
      const state = this.state(collectionId);
      const doomed = path.join(this.root, `${DELETING_PREFIX}${randomUUID()}`);
      await rename(state.directory, doomed);
      await fsyncDirectory(this.root);
      this.collections.delete(collectionId);
      await rm(doomed, { recursive: true, force: true });
    });
  }

  /** The image already indexed into this collection with these bytes and this ExternalImageId, if any, in full. */
  async findImage(collectionId: string, imageId: string, externalImageId: string | undefined): Promise<StoredImage | undefined> {
    const state = this.state(collectionId);
    const key = imageKey(imageId, externalImageId);
    return state.images.has(key) ? this.readImage(state, key) : undefined;
  }

  /** Call inside `exclusive(collectionId, ...)`, after `findImage` found nothing. */
  async addImage(collectionId: string, image: StoredImage): Promise<void> {
    const state = this.state(collectionId);
    const key = imageKey(image.ImageId, image.ExternalImageId);
    await writeFileAtomic(this.imagePath(state, key), JSON.stringify(image));
    this.remember(state, image);
  }

  /** Deletes the faces that exist in the collection; answers their ids. */
  deleteFaces(collectionId: string, faceIds: string[]): Promise<string[]> {
    return this.exclusive(collectionId, async () => {
      const state = this.state(collectionId);
      const doomedByImage = new Map<string, Set<string>>();
      for (const faceId of new Set(faceIds)) {
        const entry = state.faces.get(faceId);
        if (!entry) continue;
        const doomed = doomedByImage.get(entry.imageKey) ?? new Set<string>();
        doomed.add(faceId);
        doomedByImage.set(entry.imageKey, doomed);
      }
      const deleted: string[] = [];
      for (const [key, doomed] of doomedByImage) {
        const image = await this.readImage(state, key);
        const remaining: StoredImage = { ...image, faces: image.faces.filter((face) => !doomed.has(face.FaceId)) };
        // With no face left the image record goes too, so indexing the same photo again stores its faces anew.
        if (remaining.faces.length === 0) {
          await removeFileDurably(this.imagePath(state, key));
          state.images.delete(key);
        } else {
          await writeFileAtomic(this.imagePath(state, key), JSON.stringify(remaining));
        }
        for (const faceId of doomed) state.faces.delete(faceId);
        deleted.push(...doomed);
      }
      return deleted;
    });
  }

  /** The collection's faces, ordered by FaceId so pagination is stable. */
  listFaces(collectionId: string): IndexedFace[] {
    return [...this.state(collectionId).faces.values()]
      .map(({ face }) => face)
      .sort((a, b) => a.FaceId.localeCompare(b.FaceId));
  }

  getFace(collectionId: string, faceId: string): IndexedFace | undefined {
    return this.state(collectionId).faces.get(faceId)?.face;
  }
}
