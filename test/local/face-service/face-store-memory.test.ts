import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineFaceDetail } from '../../../local/face-service/engine/types.js';
import { FaceStore, type StoredFace } from '../../../local/face-service/face-store.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const FACES_PER_IMAGE = 100;
const IMAGES = 10;
/**
 * An embedding's 1024 numbers take 8 KB as a packed array of doubles and 24 KB boxed one by one, as a structured clone
 * leaves them; the FaceDetail another 5 KB. What search and listing need fits in 16 KB.
 */
const MAX_BYTES_PER_FACE = 16 * 1024;

/** A face as the real engine describes one: 30 landmarks, seven emotions, a 1024-value unit embedding. */
function engineLikeFace(index: number): StoredFace {
  const detail: EngineFaceDetail = {
    BoundingBox: { Width: 0.1, Height: 0.12, Left: 0.3, Top: 0.2 },
    Confidence: 99.1,
    Landmarks: Array.from({ length: 30 }, (_, landmark) => ({ Type: `landmark${landmark}`, X: Math.random(), Y: Math.random() })),
    Pose: { Roll: 1.5, Yaw: -3.2, Pitch: 4.1 },
    Quality: { Brightness: 61.3, Sharpness: 88.2 },
    AgeRange: { Low: 31, High: 41 },
    Gender: { Value: 'Female', Confidence: 97.4 },
    Emotions: ['HAPPY', 'SAD', 'ANGRY', 'SURPRISED', 'DISGUSTED', 'FEAR', 'CALM'].map((Type) => ({ Type, Confidence: Math.random() * 100 })),
    Smile: { Value: true, Confidence: 91.2 },
    EyesOpen: { Value: true, Confidence: 95.5 },
    MouthOpen: { Value: false, Confidence: 80.1 },
    EyeDirection: { Yaw: 2.1, Pitch: -4.3, Confidence: 90 },
  };
  const raw = Array.from({ length: 1024 }, () => Math.random() - 0.5);
  const norm = Math.hypot(...raw);
  return {
    FaceId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    ImageId: '11111111-1111-5111-8111-111111111111',
    BoundingBox: detail.BoundingBox,
    Confidence: detail.Confidence,
    IndexFacesModelVersion: 'facegate-human-3.3',
    detail,
    embedding: raw.map((value) => value / norm),
  };
}

let dataDir: string | undefined;

afterEach(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the face store', () => {
  it('holds an indexed face in memory in under 16 KB, however its embedding arrived', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'face-store-memory-'));
    const store = await FaceStore.open(dataDir);
    await store.createCollection('staff', 'facegate-human-3.3');
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    // Faces come from the engine's worker threads by structured clone, which boxes every number of the embedding.
    const images = Array.from({ length: IMAGES }, (_, image) =>
      structuredClone({
        ImageId: `11111111-1111-5111-8111-${String(image).padStart(12, '0')}`,
        faces: Array.from({ length: FACES_PER_IMAGE }, (_, face) => engineLikeFace(image * FACES_PER_IMAGE + face)),
      }),
    );

    for (const image of images) await store.addImage('staff', image);
    images.length = 0;
    collectGarbage();
    const perFace = (process.memoryUsage().heapUsed - before) / (IMAGES * FACES_PER_IMAGE);

    expect(store.describeCollection('staff').FaceCount).toBe(IMAGES * FACES_PER_IMAGE);
    expect(perFace).toBeLessThan(MAX_BYTES_PER_FACE);
  });

  it('still answers a repeated image with the full FaceDetail it no longer holds in memory', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'face-store-memory-'));
    const store = await FaceStore.open(dataDir);
    await store.createCollection('staff', 'facegate-human-3.3');
    const faces = [engineLikeFace(1), engineLikeFace(2)];
    await store.addImage('staff', { ImageId: faces[0]!.ImageId, ExternalImageId: 'photo.jpg', faces });

    const found = await store.findImage('staff', faces[0]!.ImageId, 'photo.jpg');
    expect(found?.faces).toEqual(faces);
    expect(store.getFace('staff', faces[1]!.FaceId)?.embedding).toEqual(faces[1]!.embedding);
    expect(await store.findImage('staff', faces[0]!.ImageId, 'other.jpg')).toBeUndefined();
  });
});
