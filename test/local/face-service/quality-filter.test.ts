import { describe, expect, it } from 'vitest';
import type { EngineFace } from '../../../local/face-service/engine/types.js';
import { minimumFaceSide, qualityReasons, selectFaces } from '../../../local/face-service/quality-filter.js';

function face(overrides: { size?: number; confidence?: number; sharpness?: number; brightness?: number; yaw?: number; pitch?: number } = {}): EngineFace {
  const size = overrides.size ?? 200;
  return {
    detail: {
      BoundingBox: { Width: 0.2, Height: 0.2, Left: 0.1, Top: 0.1 },
      Confidence: overrides.confidence ?? 99,
      Landmarks: [],
      Pose: { Roll: 0, Yaw: overrides.yaw ?? 0, Pitch: overrides.pitch ?? 0 },
      Quality: { Brightness: overrides.brightness ?? 70, Sharpness: overrides.sharpness ?? 70 },
    },
    pixelWidth: size,
    pixelHeight: size,
    embedding: [1],
  };
}

describe('quality filter', () => {
  it('asks 40 px of face in a 1920x1080 image and proportionally more in larger ones', () => {
    expect(minimumFaceSide(1024, 768)).toBe(40);
    expect(minimumFaceSide(3840, 2160)).toBe(80);
  });

  it('gives every reason a face fails for', () => {
    expect(qualityReasons(face({ yaw: -85, brightness: 1, confidence: 10, size: 20 }), 'AUTO', 1000, 800)).toEqual([
      'EXTREME_POSE', 'LOW_BRIGHTNESS', 'LOW_CONFIDENCE', 'SMALL_BOUNDING_BOX', 'LOW_FACE_QUALITY',
    ]);
  });

  it('filters nothing with NONE', () => {
    expect(qualityReasons(face({ yaw: 90, sharpness: 0, size: 5 }), 'NONE', 1000, 800)).toEqual([]);
  });

  it('raises the bar from LOW to MEDIUM to HIGH', () => {
    const ordinary = face({ confidence: 90, sharpness: 20, yaw: 40 });
    expect(qualityReasons(ordinary, 'LOW', 1000, 800)).toEqual([]);
    expect(qualityReasons(ordinary, 'MEDIUM', 1000, 800)).toEqual([]);
    expect(qualityReasons(ordinary, 'HIGH', 1000, 800)).toEqual(['LOW_SHARPNESS', 'LOW_CONFIDENCE', 'LOW_FACE_QUALITY']);
  });

  it('keeps the largest good faces up to MaxFaces and never more than 100', () => {
    const faces = Array.from({ length: 120 }, (_, index) => face({ size: 400 - index }));
    const selection = selectFaces(faces, { qualityFilter: 'AUTO', maxFaces: 1000, imageWidth: 1000, imageHeight: 1000 });
    expect(selection.indexed).toHaveLength(100);
    expect(selection.indexed[0]!.pixelWidth).toBe(400);
    expect(selection.unindexed.every((entry) => entry.reasons.join() === 'EXCEEDS_MAX_FACES')).toBe(true);
  });

  it('does not count faces refused for quality against MaxFaces', () => {
    const selection = selectFaces([face({ confidence: 5, size: 300 }), face()], { qualityFilter: 'AUTO', maxFaces: 1, imageWidth: 1000, imageHeight: 1000 });
    expect(selection.indexed).toHaveLength(1);
    expect(selection.unindexed.map((entry) => entry.reasons)).toEqual([['LOW_CONFIDENCE']]);
  });
});
