// A deterministic FaceEngine for the service tests: an "image" is the text FAKEIMG followed by JSON describing its
// faces, so each test states exactly what the model sees. Faces of the same person share one embedding.
import { createHash } from 'node:crypto';
import { EngineImageError, type EngineFace, type FaceEngine } from '../../../local/face-service/engine/types.js';

export interface FakeFace {
  person: string;
  /** Side of the square face box in pixels (default 200). */
  size?: number;
  confidence?: number;
  sharpness?: number;
  brightness?: number;
  yaw?: number;
  pitch?: number;
}

export interface FakeImageSpec {
  faces: FakeFace[];
  width?: number;
  height?: number;
  /** Makes otherwise identical images differ in bytes (and so in ImageId). */
  variant?: string;
}

const MAGIC = 'FAKEIMG';

export const fakeImage = (spec: FakeImageSpec): Uint8Array => Buffer.from(MAGIC + JSON.stringify(spec));
/** Bytes the fake engine refuses as too small (under 80 px), like a real one does for a tiny image. */
export const tinyImage = (): Uint8Array => Buffer.from(`${MAGIC}${JSON.stringify({ faces: [], width: 40, height: 40 })}`);

function embeddingOf(person: string): number[] {
  const digest = createHash('sha512').update(person).digest();
  const vector = [...digest].map((byte) => byte / 127.5 - 1);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function faceOf(face: FakeFace, index: number, width: number, height: number): EngineFace {
  const size = face.size ?? 200;
  return {
    detail: {
      BoundingBox: { Width: size / width, Height: size / height, Left: (index * 10) / width, Top: (index * 10) / height },
      Confidence: face.confidence ?? 99.9,
      Landmarks: [{ Type: 'nose', X: 0.5, Y: 0.5 }],
      Pose: { Roll: 0, Yaw: face.yaw ?? 0, Pitch: face.pitch ?? 0 },
      Quality: { Brightness: face.brightness ?? 80, Sharpness: face.sharpness ?? 80 },
      AgeRange: { Low: 30, High: 40 },
      Smile: { Value: false, Confidence: 90 },
      Emotions: [{ Type: 'CALM', Confidence: 90 }],
    },
    pixelWidth: size,
    pixelHeight: size,
    embedding: embeddingOf(face.person),
  };
}

export function createFakeEngine(): FaceEngine & { analyzed: number } {
  return {
    modelVersion: 'fake-engine-1',
    analyzed: 0,
    async analyze(image) {
      this.analyzed += 1;
      const text = Buffer.from(image).toString('utf8');
      if (!text.startsWith(MAGIC)) throw new EngineImageError('InvalidImageFormat', 'not a fake image');
      const spec = JSON.parse(text.slice(MAGIC.length)) as FakeImageSpec;
      const width = spec.width ?? 1000;
      const height = spec.height ?? 800;
      if (width < 80 || height < 80) throw new EngineImageError('ImageTooSmall', `the image is ${width}x${height} pixels.`);
      const faces = spec.faces
        .map((face, index) => faceOf(face, index, width, height))
        .sort((a, b) => b.pixelWidth * b.pixelHeight - a.pixelWidth * a.pixelHeight);
      return { width, height, faces };
    },
    similarity(a, b) {
      const cosine = a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0);
      return Math.min(100, Math.max(0, cosine * 100));
    },
    async close() {},
  };
}
