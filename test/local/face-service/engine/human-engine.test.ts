import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHumanEngine } from '../../../../local/face-service/engine/human-engine.js';
import { EngineImageError, type EngineAnalysis, type FaceEngine } from '../../../../local/face-service/engine/types.js';
import { fixture, fixtureLabels, fixturesDir } from './fixtures.js';

const REKOGNITION_LANDMARKS = [
  'eyeLeft', 'eyeRight', 'nose', 'mouthLeft', 'mouthRight', 'leftEyeBrowLeft', 'leftEyeBrowRight', 'leftEyeBrowUp',
  'rightEyeBrowLeft', 'rightEyeBrowRight', 'rightEyeBrowUp', 'leftEyeLeft', 'leftEyeRight', 'leftEyeUp', 'leftEyeDown',
  'rightEyeLeft', 'rightEyeRight', 'rightEyeUp', 'rightEyeDown', 'noseLeft', 'noseRight', 'mouthUp', 'mouthDown',
  'leftPupil', 'rightPupil', 'upperJawlineLeft', 'midJawlineLeft', 'chinBottom', 'midJawlineRight', 'upperJawlineRight',
];

const labelledImages = Object.values(fixtureLabels).filter(
  (label): label is typeof label & { face_count: number } => label.face_count !== null && label.format !== 'WEBP',
);

let engine: FaceEngine;
const analyses = new Map<string, EngineAnalysis>();

beforeAll(async () => {
  engine = await createHumanEngine({ workers: 2 });
  // All at once: the two workers share the queue, and every result must still be the right image's.
  const results = await Promise.all(labelledImages.map((label) => engine.analyze(fixture(label.file))));
  labelledImages.forEach((label, index) => analyses.set(label.file, results[index]!));
});

afterAll(async () => {
  await engine?.close();
});

function analysis(name: string): EngineAnalysis {
  const result = analyses.get(name);
  if (!result) throw new Error(`${name} was not analysed`);
  return result;
}

function onlyFace(name: string) {
  const { faces } = analysis(name);
  expect(faces).toHaveLength(1);
  return faces[0]!;
}

function landmark(name: string, type: string) {
  const found = onlyFace(name).detail.Landmarks.find((entry) => entry.Type === type);
  if (!found) throw new Error(`no ${type} landmark`);
  return found;
}

function embeddingOf(name: string, index = 0): number[] {
  const face = analysis(name).faces[index];
  if (!face) throw new Error(`${name} has no face ${index}`);
  return face.embedding;
}

/** group_2_faces is obama on the left and biden on the right. */
function groupFace(side: 'left' | 'right'): number[] {
  const faces = [...analysis('group_2_faces.jpg').faces].sort((a, b) => a.detail.BoundingBox.Left - b.detail.BoundingBox.Left);
  return faces[side === 'left' ? 0 : 1]!.embedding;
}

describe('the human face engine', () => {
  it.each(labelledImages.map((label) => [label.file, label.face_count] as const))(
    'finds the labelled number of faces in %s (%i)',
    (name, count) => {
      expect(analysis(name).faces).toHaveLength(count);
    },
  );

  it.each(['webp_format.webp', 'invalid/truncated.jpg', 'invalid/corrupted.png', 'invalid/empty.png'])(
    'rejects %s as an invalid image format',
    async (name) => {
      const error = await engine.analyze(fixture(name)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EngineImageError);
      expect((error as EngineImageError).kind).toBe('InvalidImageFormat');
    },
  );

  it('reports the upright size of the image', () => {
    expect(analysis('exif_orientation_6.jpeg')).toMatchObject({ width: 480, height: 640 });
    expect(analysis('match_person2.jpg')).toMatchObject({ width: 970, height: 2204 });
  });

  it('gives the box of an EXIF-rotated face in the upright frame', () => {
    const face = onlyFace('exif_orientation_6.jpeg');
    expect(face.pixelHeight).toBeGreaterThan(face.pixelWidth);
    const eyes = (landmark('exif_orientation_6.jpeg', 'eyeLeft').Y + landmark('exif_orientation_6.jpeg', 'eyeRight').Y) / 2;
    expect(eyes).toBeLessThan(landmark('exif_orientation_6.jpeg', 'mouthUp').Y);
    expect(landmark('exif_orientation_6.jpeg', 'mouthUp').Y).toBeLessThan(landmark('exif_orientation_6.jpeg', 'chinBottom').Y);
  });

  it('fills every FaceDetail field it has a model for, within Rekognition ranges', () => {
    for (const [name, { faces }] of analyses) {
      for (const { detail, embedding } of faces) {
        expect(detail.Landmarks.map((entry) => entry.Type), name).toEqual(REKOGNITION_LANDMARKS);
        expect(detail.Confidence).toBeGreaterThan(50);
        expect(detail.Confidence).toBeLessThanOrEqual(100);
        for (const value of [detail.Quality.Brightness, detail.Quality.Sharpness]) {
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(100);
        }
        for (const angle of Object.values(detail.Pose)) expect(Math.abs(angle)).toBeLessThanOrEqual(180);
        expect(detail.AgeRange!.High).toBeGreaterThan(detail.AgeRange!.Low);
        expect(['Male', 'Female']).toContain(detail.Gender!.Value);
        expect(detail.Emotions!.map((entry) => entry.Type)).toEqual(
          expect.arrayContaining(['HAPPY', 'SAD', 'ANGRY', 'SURPRISED', 'DISGUSTED', 'CALM', 'FEAR']),
        );
        expect(detail.Emotions!.map((entry) => entry.Type)).not.toContain('CONFUSED');
        for (const attribute of [detail.Smile!, detail.EyesOpen!, detail.MouthOpen!]) {
          expect(attribute.Confidence).toBeGreaterThanOrEqual(50);
          expect(attribute.Confidence).toBeLessThanOrEqual(100);
        }
        expect(Math.abs(detail.EyeDirection!.Yaw)).toBeLessThanOrEqual(90);
        expect(detail).not.toHaveProperty('Eyeglasses');
        expect(detail).not.toHaveProperty('Sunglasses');
        expect(detail).not.toHaveProperty('Beard');
        expect(detail).not.toHaveProperty('Mustache');
        expect(detail).not.toHaveProperty('FaceOccluded');
        expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
      }
    }
  });

  it('boxes a face tightly where it is in the image', () => {
    const { BoundingBox } = onlyFace('small_face.jpg').detail;
    // About 50 pixels of face in a 1024-pixel-wide photo, standing near the middle.
    expect(BoundingBox.Width * 1024).toBeGreaterThan(35);
    expect(BoundingBox.Width * 1024).toBeLessThan(110);
    expect(BoundingBox.Left + BoundingBox.Width / 2).toBeGreaterThan(0.35);
    expect(BoundingBox.Left + BoundingBox.Width / 2).toBeLessThan(0.6);
  });

  it('lists faces largest first', () => {
    const sizes = analysis('group_6_faces.jpg').faces.map((face) => face.pixelWidth * face.pixelHeight);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
  });

  it('measures the motion-blurred face as clearly less sharp than the crisp ones', () => {
    const blurry = onlyFace('blurry_face.jpg').detail.Quality.Sharpness;
    for (const name of ['single_face_frontal.jpg', 'match_person1_a.jpg', 'png_rgba.png', 'bw_photo.jpeg']) {
      expect(onlyFace(name).detail.Quality.Sharpness - blurry, name).toBeGreaterThan(30);
    }
  });

  it('reads the pose with Rekognition signs: the profile turned to the image left, the rotated face lying clockwise', () => {
    expect(onlyFace('profile_face.jpeg').detail.Pose.Yaw).toBeLessThan(-10);
    const rotated = onlyFace('rotated_90.jpg').detail.Pose.Roll;
    expect(rotated).toBeGreaterThan(60);
    expect(rotated).toBeLessThan(120);
    expect(Math.abs(onlyFace('match_person1_a.jpg').detail.Pose.Roll)).toBeLessThan(10);
  });

  it('places the pupils inside their own eyes', () => {
    for (const side of ['left', 'right'] as const) {
      const pupil = landmark('match_person1_a.jpg', `${side}Pupil`);
      const outer = landmark('match_person1_a.jpg', `${side}EyeLeft`);
      const inner = landmark('match_person1_a.jpg', `${side}EyeRight`);
      expect(pupil.X).toBeGreaterThan(outer.X);
      expect(pupil.X).toBeLessThan(inner.X);
    }
  });

  it('matches the same person above 80 and different people below it', () => {
    const obama = [embeddingOf('match_person1_a.jpg'), embeddingOf('match_person1_b.jpg'), groupFace('left')];
    const biden = [embeddingOf('match_person2.jpg'), groupFace('right')];
    expect(engine.similarity(obama[0]!, obama[1]!)).toBeGreaterThan(80);
    expect(engine.similarity(obama[0]!, obama[2]!)).toBeGreaterThan(80);
    expect(engine.similarity(obama[1]!, obama[2]!)).toBeGreaterThan(80);
    expect(engine.similarity(biden[0]!, biden[1]!)).toBeGreaterThan(80);
    for (const someone of [...obama, embeddingOf('partial_face.jpg')]) {
      for (const other of biden) expect(engine.similarity(someone, other)).toBeLessThan(80);
    }
  });

  it('names itself as the face model version', () => {
    expect(engine.modelVersion).toBe('facegate-human-3.3');
  });
});

describe('the engine lifecycle', () => {
  it('runs its workers from a plain tsx process and stops them on close', async () => {
    const root = path.resolve(import.meta.dirname, '../../../..');
    const { stdout } = await promisify(execFile)(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(import.meta.dirname, 'count-faces-cli.ts'), path.join(fixturesDir, 'single_face_frontal.jpg')],
      { cwd: root, timeout: 60_000 },
    );
    // The process printing and then exiting by itself shows close() left no worker thread running.
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ faces: 1 });
  });

  it('refuses work once closed', async () => {
    const closing = await createHumanEngine({ workers: 1 });
    await closing.close();
    await expect(closing.analyze(fixture('single_face_frontal.jpg'))).rejects.toThrow(/closed/);
  });
});
