// Which detected faces IndexFaces stores and why the others are left out (UnindexedFaces reasons), from the
// engine's Confidence, Quality, Pose and the face's size in pixels. The thresholds are ours (Rekognition does not
// publish its own); the README lists them. AUTO and LOW keep every face a person would call usable, blurry and
// small ones included; MEDIUM and HIGH are stricter.
import type { EngineFace } from './engine/types.js';

export const QUALITY_FILTERS = ['NONE', 'AUTO', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type QualityFilterLevel = (typeof QUALITY_FILTERS)[number];

export type UnindexedReason =
  | 'EXCEEDS_MAX_FACES'
  | 'EXTREME_POSE'
  | 'LOW_BRIGHTNESS'
  | 'LOW_SHARPNESS'
  | 'LOW_CONFIDENCE'
  | 'SMALL_BOUNDING_BOX'
  | 'LOW_FACE_QUALITY';

export interface QualityBar {
  minConfidence: number;
  minSharpness: number;
  minBrightness: number;
  maxAbsYaw: number;
  maxAbsPitch: number;
}

export const QUALITY_BARS: Record<Exclude<QualityFilterLevel, 'NONE'>, QualityBar> = {
  AUTO: { minConfidence: 50, minSharpness: 1, minBrightness: 5, maxAbsYaw: 80, maxAbsPitch: 60 },
  LOW: { minConfidence: 50, minSharpness: 1, minBrightness: 5, maxAbsYaw: 80, maxAbsPitch: 60 },
  MEDIUM: { minConfidence: 80, minSharpness: 10, minBrightness: 15, maxAbsYaw: 60, maxAbsPitch: 45 },
  HIGH: { minConfidence: 95, minSharpness: 25, minBrightness: 25, maxAbsYaw: 45, maxAbsPitch: 30 },
};

/** Rekognition's documented floor: a face 40 px wide in a 1920x1080 image, proportionally more in larger ones. */
export function minimumFaceSide(imageWidth: number, imageHeight: number): number {
  return 40 * Math.max(1, Math.max(imageWidth, imageHeight) / 1920);
}

/** The reasons a face misses the bar of `level`; empty when it is good enough to index. */
export function qualityReasons(face: EngineFace, level: QualityFilterLevel, imageWidth: number, imageHeight: number): UnindexedReason[] {
  if (level === 'NONE') return [];
  const bar = QUALITY_BARS[level];
  const { Confidence, Pose, Quality } = face.detail;
  const reasons: UnindexedReason[] = [];
  if (Math.abs(Pose.Yaw) > bar.maxAbsYaw || Math.abs(Pose.Pitch) > bar.maxAbsPitch) reasons.push('EXTREME_POSE');
  if (Quality.Brightness < bar.minBrightness) reasons.push('LOW_BRIGHTNESS');
  if (Quality.Sharpness < bar.minSharpness) reasons.push('LOW_SHARPNESS');
  if (Confidence < bar.minConfidence) reasons.push('LOW_CONFIDENCE');
  if (Math.min(face.pixelWidth, face.pixelHeight) < minimumFaceSide(imageWidth, imageHeight)) reasons.push('SMALL_BOUNDING_BOX');
  // The overall image quality of the face is below the bar whenever its brightness or sharpness is.
  if (reasons.includes('LOW_BRIGHTNESS') || reasons.includes('LOW_SHARPNESS')) reasons.push('LOW_FACE_QUALITY');
  return reasons;
}

export interface FaceSelection {
  indexed: EngineFace[];
  unindexed: Array<{ face: EngineFace; reasons: UnindexedReason[] }>;
}

/** Rekognition indexes at most this many faces of one image, whatever MaxFaces says. */
export const MAX_INDEXED_FACES = 100;

/** Splits faces (largest first) into those to index (at most `maxFaces`, largest kept) and the rest with reasons. */
export function selectFaces(
  faces: EngineFace[],
  options: { qualityFilter: QualityFilterLevel; maxFaces: number; imageWidth: number; imageHeight: number },
): FaceSelection {
  const limit = Math.min(options.maxFaces, MAX_INDEXED_FACES);
  const selection: FaceSelection = { indexed: [], unindexed: [] };
  for (const face of faces) {
    const reasons = qualityReasons(face, options.qualityFilter, options.imageWidth, options.imageHeight);
    if (reasons.length > 0) selection.unindexed.push({ face, reasons });
    else if (selection.indexed.length >= limit) selection.unindexed.push({ face, reasons: ['EXCEEDS_MAX_FACES'] });
    else selection.indexed.push(face);
  }
  return selection;
}
