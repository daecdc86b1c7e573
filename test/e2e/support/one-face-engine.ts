// A face engine that finds exactly one face in every decodable JPEG or PNG, instantly: for tests and benchmarks
// of the stack's plumbing (faults, bad input, load), where what matters is that faces exist, not who they are.
// It reads only the header (sharp metadata), so an undecodable or tiny image is refused as the real engine refuses it.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { EngineImageError, type EngineAnalysis, type FaceEngine } from '../../../local/face-service/engine/types.js';

/** Attribute values no real photo in the fixtures produces, so a test can search logs for them. */
export const ONE_FACE_ATTRIBUTES = {
  AgeRange: { Low: 61, High: 67 },
  Gender: { Value: 'Female' as const, Confidence: 97.25 },
  Emotions: [{ Type: 'CONFUSED', Confidence: 88.5 }],
};

function embeddingOf(image: Uint8Array): number[] {
  const digest = createHash('sha512').update(image).digest();
  const vector = [...digest].map((byte) => byte / 127.5 - 1);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

export function createOneFaceEngine(): FaceEngine & { readonly analyzed: number } {
  let analyzed = 0;
  return {
    modelVersion: 'one-face-test-engine',
    get analyzed() {
      return analyzed;
    },
    async analyze(image: Uint8Array): Promise<EngineAnalysis> {
      analyzed += 1;
      let width: number;
      let height: number;
      try {
        ({ width, height } = await sharp(image, { failOn: 'truncated' }).metadata());
      } catch (error) {
        throw new EngineImageError('InvalidImageFormat', `The image cannot be decoded (${(error as Error).message}).`);
      }
      if (width < 80 || height < 80) throw new EngineImageError('ImageTooSmall', `The image is ${width}x${height} pixels.`);
      const side = Math.round(Math.min(width, height) / 2);
      return {
        width,
        height,
        faces: [
          {
            detail: {
              BoundingBox: { Width: side / width, Height: side / height, Left: 0.25, Top: 0.25 },
              Confidence: 99.9,
              Landmarks: [{ Type: 'nose', X: 0.5, Y: 0.5 }],
              Pose: { Roll: 0, Yaw: 0, Pitch: 0 },
              Quality: { Brightness: 80, Sharpness: 80 },
              ...ONE_FACE_ATTRIBUTES,
            },
            pixelWidth: side,
            pixelHeight: side,
            embedding: embeddingOf(image),
          },
        ],
      };
    },
    similarity: (a, b) => Math.max(0, Math.min(100, a.reduce((sum, value, index) => sum + value * (b[index] ?? 0), 0) * 100)),
    close: async () => undefined,
  };
}
