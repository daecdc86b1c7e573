import { describe, expect, it } from 'vitest';
import { headPose, thresholdAttribute } from '../../../../local/face-service/engine/face-detail.js';
import { LANDMARK_MESH_POINTS, meshToLandmarks, type MeshPoint } from '../../../../local/face-service/engine/face-landmarks.js';

/** A flat frontal face: eye corners level, cheeks and chin at the same depth as the forehead. */
function frontalMesh(): MeshPoint[] {
  const mesh: MeshPoint[] = Array.from({ length: 478 }, () => [100, 100, 0] as const);
  const place = (index: number, x: number, y: number, z = 0) => {
    mesh[index] = [x, y, z];
  };
  place(33, 60, 80);
  place(133, 85, 80);
  place(362, 115, 80);
  place(263, 140, 80);
  place(234, 40, 100);
  place(454, 160, 100);
  place(10, 100, 30);
  place(152, 100, 170);
  return mesh;
}

function rotateInImage(mesh: MeshPoint[], degrees: number): MeshPoint[] {
  const radians = (degrees * Math.PI) / 180;
  return mesh.map(([x, y, z]) => [
    100 + (x - 100) * Math.cos(radians) - (y - 100) * Math.sin(radians),
    100 + (x - 100) * Math.sin(radians) + (y - 100) * Math.cos(radians),
    z,
  ]);
}

describe('headPose', () => {
  it('reads a level frontal face as zero roll, yaw and pitch', () => {
    const pose = headPose(frontalMesh());
    expect(pose.Roll).toBeCloseTo(0, 6);
    expect(pose.Yaw).toBeCloseTo(0, 6);
    expect(pose.Pitch).toBeCloseTo(0, 6);
  });

  it('reads a face turned clockwise in the image as positive roll, even lying on its side', () => {
    expect(headPose(rotateInImage(frontalMesh(), 20)).Roll).toBeCloseTo(20, 6);
    expect(headPose(rotateInImage(frontalMesh(), 90)).Roll).toBeCloseTo(90, 6);
    expect(headPose(rotateInImage(frontalMesh(), -30)).Roll).toBeCloseTo(-30, 6);
  });

  it('reads a face turned towards the image left as negative yaw, whatever its roll', () => {
    const turned = frontalMesh();
    // Turning left brings the image-right cheek towards the camera (smaller depth).
    turned[454] = [160, 100, -60];
    turned[234] = [40, 100, 60];
    expect(headPose(turned).Yaw).toBeCloseTo(-45, 6);
    expect(headPose(rotateInImage(turned, 90)).Yaw).toBeCloseTo(-45, 6);
  });

  it('reads a face looking up as positive pitch', () => {
    const up = frontalMesh();
    up[152] = [100, 170, -70];
    up[10] = [100, 30, 70];
    expect(headPose(up).Pitch).toBeCloseTo(45, 6);
  });
});

describe('thresholdAttribute', () => {
  it('is true above the threshold and more confident further from it', () => {
    expect(thresholdAttribute(0.3, 0.12, 0.12)).toEqual({ Value: true, Confidence: 100 });
    expect(thresholdAttribute(0.12, 0.12, 0.12)).toEqual({ Value: false, Confidence: 50 });
    expect(thresholdAttribute(0.06, 0.12, 0.12)).toEqual({ Value: false, Confidence: 75 });
  });
});

describe('meshToLandmarks', () => {
  it('gives all 30 Rekognition landmarks as ratios of the image size', () => {
    const mesh = frontalMesh();
    const landmarks = meshToLandmarks(mesh, 200, 400);
    expect(landmarks).toHaveLength(30);
    expect(landmarks.find((entry) => entry.Type === 'eyeLeft')).toEqual({ Type: 'eyeLeft', X: 72.5 / 200, Y: 80 / 400 });
    expect(landmarks.find((entry) => entry.Type === 'chinBottom')).toEqual({ Type: 'chinBottom', X: 0.5, Y: 170 / 400 });
  });

  it('falls back to the eye centres for the pupils when the iris model did not run', () => {
    const landmarks = meshToLandmarks(frontalMesh().slice(0, 468), 200, 200);
    expect(landmarks.find((entry) => entry.Type === 'leftPupil')).toMatchObject({ X: 72.5 / 200, Y: 80 / 200 });
    expect(Object.keys(LANDMARK_MESH_POINTS)).toHaveLength(30);
  });
});
