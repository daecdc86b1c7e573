import { meshCentroid, meshToLandmarks, type MeshPoint } from './face-landmarks.js';
import { measureFaceQuality, type PixelBox, type RgbImage } from './face-quality.js';
import type { EngineFace, EngineFaceDetail, ValueWithConfidence } from './types.js';

/** What the face models report for one face, in pixels of the analysed image. */
export interface DetectedFace {
  /** Overall face score 0-1 (detector and mesh). */
  score: number;
  /** 468 mesh points, plus 10 iris points when the iris model ran. */
  mesh: readonly MeshPoint[];
  age?: number;
  gender?: string;
  genderScore?: number;
  emotions?: ReadonlyArray<{ emotion: string; score: number }>;
  embedding?: readonly number[];
}

/** Human's emotion labels under Rekognition's names; Rekognition's CONFUSED has no counterpart and is never reported. */
const EMOTION_NAMES: Readonly<Record<string, string>> = {
  angry: 'ANGRY',
  disgust: 'DISGUSTED',
  fear: 'FEAR',
  happy: 'HAPPY',
  sad: 'SAD',
  surprise: 'SURPRISED',
  neutral: 'CALM',
};

/** Eye opening (lid gap over eye width) below which an eye counts as closed; open eyes measure 0.2-0.35. */
const EYE_OPEN_RATIO = 0.12;
/** Lip gap over mouth width above which the mouth counts as open; closed lips measure under 0.05. */
const MOUTH_OPEN_RATIO = 0.12;
/** Eyeball radius as a share of the visible eye width, to turn the iris offset into a gaze angle. */
const EYEBALL_RADIUS_PER_EYE_WIDTH = 0.4;
/** Rekognition's AgeRange spans about ten years around the estimate. */
const AGE_HALF_RANGE = 5;

const RADIANS_TO_DEGREES = 180 / Math.PI;

function distance(a: readonly [number, number], b: readonly [number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function point(mesh: readonly MeshPoint[], index: number): [number, number] {
  return meshCentroid(mesh, [index]);
}

/**
 * A yes/no attribute read from a continuous measure against a threshold: the confidence is 50 at the threshold
 * and approaches 100 as the measure moves `scale` or more away from it.
 */
export function thresholdAttribute(measure: number, threshold: number, scale: number): ValueWithConfidence<boolean> {
  const margin = Math.min(1, Math.abs(measure - threshold) / scale);
  return { Value: measure > threshold, Confidence: 50 + 50 * margin };
}

function eyeOpening(mesh: readonly MeshPoint[], corners: [number, number], lids: [number, number]): number {
  const width = distance(point(mesh, corners[0]), point(mesh, corners[1]));
  return width > 0 ? distance(point(mesh, lids[0]), point(mesh, lids[1])) / width : 0;
}

function mouthOpening(mesh: readonly MeshPoint[]): number {
  const width = distance(point(mesh, 61), point(mesh, 291));
  return width > 0 ? distance(point(mesh, 13), point(mesh, 14)) / width : 0;
}

/** Rotates a mesh point by -roll about the origin, so the eye line is horizontal; depth is kept. */
function deroll(mesh: readonly MeshPoint[], index: number, roll: number): [number, number, number] {
  const [x, y, z = 0] = mesh[index] ?? [0, 0, 0];
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  return [x * cos - y * sin, x * sin + y * cos, z];
}

/**
 * Head pose in degrees from the mesh geometry, with Rekognition's conventions: Roll is the angle of the eye line
 * (positive when the face is turned clockwise in the image), Yaw the depth difference across the cheeks (negative
 * when the face turns towards the image's left), Pitch the depth difference from forehead to chin (positive when
 * the face looks up). Computed in the face's own frame, so they stay right for faces lying on their side.
 */
export function headPose(mesh: readonly MeshPoint[]): { Roll: number; Yaw: number; Pitch: number } {
  const [lx, ly] = meshCentroid(mesh, [33, 133]);
  const [rx, ry] = meshCentroid(mesh, [263, 362]);
  const roll = Math.atan2(ry - ly, rx - lx);
  const [leftX, , leftZ] = deroll(mesh, 234, roll);
  const [rightX, , rightZ] = deroll(mesh, 454, roll);
  const [, foreheadY, foreheadZ] = deroll(mesh, 10, roll);
  const [, chinY, chinZ] = deroll(mesh, 152, roll);
  return {
    Roll: roll * RADIANS_TO_DEGREES,
    Yaw: Math.atan2(rightZ - leftZ, rightX - leftX) * RADIANS_TO_DEGREES,
    Pitch: Math.atan2(foreheadZ - chinZ, chinY - foreheadY) * RADIANS_TO_DEGREES,
  };
}

/** Gaze from where the iris sits between the eye corners, in the face's own frame (roll removed). */
function eyeDirection(mesh: readonly MeshPoint[], rollDegrees: number, confidence: number): EngineFaceDetail['EyeDirection'] {
  if (mesh.length < 478) return undefined;
  const roll = rollDegrees / RADIANS_TO_DEGREES;
  const eyes: Array<{ corners: [number, number]; lids: [number, number]; iris: number }> = [
    { corners: [33, 133], lids: [159, 145], iris: 473 },
    { corners: [362, 263], lids: [386, 374], iris: 468 },
  ];
  let yaw = 0;
  let pitch = 0;
  for (const eye of eyes) {
    const [innerX, innerY] = deroll(mesh, eye.corners[0], roll);
    const [outerX, outerY] = deroll(mesh, eye.corners[1], roll);
    const [, upperY] = deroll(mesh, eye.lids[0], roll);
    const [, lowerY] = deroll(mesh, eye.lids[1], roll);
    const [irisX, irisY] = deroll(mesh, eye.iris, roll);
    const radius = EYEBALL_RADIUS_PER_EYE_WIDTH * Math.hypot(outerX - innerX, outerY - innerY);
    if (radius <= 0) return undefined;
    const dx = irisX - (innerX + outerX) / 2;
    const dy = irisY - (upperY + lowerY) / 2;
    yaw += Math.asin(Math.max(-1, Math.min(1, dx / radius)));
    pitch += Math.asin(Math.max(-1, Math.min(1, -dy / radius)));
  }
  return { Yaw: (yaw / 2) * RADIANS_TO_DEGREES, Pitch: (pitch / 2) * RADIANS_TO_DEGREES, Confidence: confidence };
}

/** The tight box around the face mesh (forehead to chin, ear to ear), in pixels. */
export function meshBox(mesh: readonly MeshPoint[]): PixelBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of mesh.slice(0, 468)) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { left: minX, top: minY, width: maxX - minX, height: maxY - minY };
}

function unitVector(values: readonly number[]): number[] {
  const norm = Math.hypot(...values);
  return norm > 0 ? values.map((value) => value / norm) : [...values];
}

/** Builds Rekognition's FaceDetail for one face; attributes the models did not give are left out. */
export function buildEngineFace(face: DetectedFace, image: RgbImage): EngineFace {
  const box = meshBox(face.mesh);
  const confidence = Math.min(100, face.score * 100);
  const pose = headPose(face.mesh);
  const detail: EngineFaceDetail = {
    BoundingBox: {
      Width: box.width / image.width,
      Height: box.height / image.height,
      Left: box.left / image.width,
      Top: box.top / image.height,
    },
    Confidence: confidence,
    Landmarks: meshToLandmarks(face.mesh, image.width, image.height),
    Pose: pose,
    Quality: measureFaceQuality(image, box),
  };
  if (face.age !== undefined) {
    const age = Math.round(face.age);
    detail.AgeRange = { Low: Math.max(0, age - AGE_HALF_RANGE), High: age + AGE_HALF_RANGE };
  }
  if ((face.gender === 'male' || face.gender === 'female') && face.genderScore !== undefined) {
    detail.Gender = { Value: face.gender === 'male' ? 'Male' : 'Female', Confidence: face.genderScore * 100 };
  }
  const emotions = (face.emotions ?? [])
    .filter((entry) => EMOTION_NAMES[entry.emotion] !== undefined)
    .map((entry) => ({ Type: EMOTION_NAMES[entry.emotion]!, Confidence: entry.score * 100 }))
    .sort((a, b) => b.Confidence - a.Confidence);
  if (emotions.length > 0) {
    detail.Emotions = emotions;
    const happy = emotions.find((entry) => entry.Type === 'HAPPY')?.Confidence ?? 0;
    detail.Smile = { Value: happy > 50, Confidence: Math.max(happy, 100 - happy) };
  }
  const opening = (eyeOpening(face.mesh, [33, 133], [159, 145]) + eyeOpening(face.mesh, [362, 263], [386, 374])) / 2;
  detail.EyesOpen = thresholdAttribute(opening, EYE_OPEN_RATIO, EYE_OPEN_RATIO);
  detail.MouthOpen = thresholdAttribute(mouthOpening(face.mesh), MOUTH_OPEN_RATIO, MOUTH_OPEN_RATIO);
  const direction = eyeDirection(face.mesh, pose.Roll, confidence);
  if (direction) detail.EyeDirection = direction;
  return {
    detail,
    pixelWidth: box.width,
    pixelHeight: box.height,
    embedding: unitVector(face.embedding ?? []),
  };
}
