import type { Landmark } from './types.js';

/** A point of the face mesh in pixels of the analysed image. */
export type MeshPoint = readonly [number, number, number?];

/**
 * Rekognition's 30 landmark types and the points of MediaPipe's 468-point face mesh (plus the 10 iris points
 * Human appends at 468-477) that mark them. Rekognition's "Left" is the left of the image, which is the
 * subject's right: the mesh's "right eye" points (33, 133, 159, 145, iris 468) are therefore Rekognition's left eye.
 * Where a landmark sits between mesh points, several are averaged.
 */
export const LANDMARK_MESH_POINTS: Readonly<Record<string, readonly number[]>> = {
  eyeLeft: [33, 133],
  eyeRight: [263, 362],
  nose: [1],
  mouthLeft: [61],
  mouthRight: [291],
  leftEyeBrowLeft: [46],
  leftEyeBrowRight: [107],
  leftEyeBrowUp: [105],
  rightEyeBrowLeft: [336],
  rightEyeBrowRight: [276],
  rightEyeBrowUp: [334],
  leftEyeLeft: [33],
  leftEyeRight: [133],
  leftEyeUp: [159],
  leftEyeDown: [145],
  rightEyeLeft: [362],
  rightEyeRight: [263],
  rightEyeUp: [386],
  rightEyeDown: [374],
  noseLeft: [98],
  noseRight: [327],
  mouthUp: [0],
  mouthDown: [17],
  leftPupil: [473],
  rightPupil: [468],
  upperJawlineLeft: [234],
  midJawlineLeft: [172],
  chinBottom: [152],
  midJawlineRight: [397],
  upperJawlineRight: [454],
};

/** Without the iris model the pupils fall back to the eye centres. */
const PUPIL_FALLBACK: Readonly<Record<string, readonly number[]>> = {
  leftPupil: LANDMARK_MESH_POINTS.eyeLeft!,
  rightPupil: LANDMARK_MESH_POINTS.eyeRight!,
};

export function meshCentroid(mesh: readonly MeshPoint[], indices: readonly number[]): [number, number] {
  let x = 0;
  let y = 0;
  for (const index of indices) {
    const point = mesh[index];
    if (!point) throw new Error(`face mesh has no point ${index}`);
    x += point[0];
    y += point[1];
  }
  return [x / indices.length, y / indices.length];
}

/** The 30 landmarks as ratios of the image width and height, as Rekognition gives them. */
export function meshToLandmarks(mesh: readonly MeshPoint[], imageWidth: number, imageHeight: number): Landmark[] {
  return Object.entries(LANDMARK_MESH_POINTS).map(([type, indices]) => {
    const usable = indices.every((index) => mesh[index] !== undefined) ? indices : PUPIL_FALLBACK[type]!;
    const [x, y] = meshCentroid(mesh, usable);
    return { Type: type, X: x / imageWidth, Y: y / imageHeight };
  });
}
