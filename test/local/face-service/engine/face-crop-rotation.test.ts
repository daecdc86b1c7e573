import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rotateOnlyCroppedRegions } from '../../../../local/face-service/engine/face-crop-rotation.js';
import { ANALYSIS_MAX_SIDE } from '../../../../local/face-service/engine/human-engine.js';
import { tfjsWasmDir } from '../../../../local/face-service/engine/human-models.js';
import { decodeImage } from '../../../../local/face-service/engine/image-decoder.js';
import { fixture } from './fixtures.js';

const CROP_SIZE: [number, number] = [192, 192];

// Taken before the rotation is installed: the whole-image rotation and the crop as tfjs has them.
const rotateWholeImage = tf.image.rotateWithOffset;
const crop = tf.image.cropAndResize;
let image: tf.Tensor4D;

beforeAll(async () => {
  setWasmPaths(tfjsWasmDir);
  await tf.setBackend('wasm');
  rotateOnlyCroppedRegions(tf);
  const { data, width, height } = await decodeImage(fixture('group_6_faces.jpg'), ANALYSIS_MAX_SIDE);
  image = tf.tensor4d(Float32Array.from(data), [1, height, width, 3]);
});

/** A square box of `half` pixels each side of (x, y), as Human crops a face turned about its centre. */
function faceCrop(rotate: typeof rotateWholeImage, cropFrom: typeof crop, x: number, y: number, half: number, radians: number) {
  const [, height = 0, width = 0] = image.shape;
  return tf.tidy(() => {
    const rotated = rotate(image, radians, 0, [x / width, y / height]);
    return cropFrom(rotated, [[(y - half) / height, (x - half) / width, (y + half) / height, (x + half) / width]], [0], CROP_SIZE);
  });
}

describe('rotating only the cropped region', () => {
  it.each([
    { case: 'a face in the image', x: 300, y: 200, half: 90, radians: 0.4 },
    { case: 'a face turned on its side', x: 640, y: 300, half: 120, radians: -Math.PI / 2 },
    { case: 'a face upside down', x: 500, y: 260, half: 60, radians: 3 },
    { case: 'a small face', x: 820, y: 120, half: 15, radians: 1.1 },
    { case: 'a face cut by the image edge', x: 30, y: 500, half: 110, radians: 0.7 },
    { case: 'a box larger than the image', x: 512, y: 269, half: 700, radians: 0.3 },
  ])('gives the crop of the whole rotated image: $case', ({ x, y, half, radians }) => {
    const tensors = tf.memory().numTensors;
    const expected = faceCrop(rotateWholeImage, crop, x, y, half, radians);
    const actual = faceCrop(tf.image.rotateWithOffset, tf.image.cropAndResize, x, y, half, radians);
    const difference = tf.tidy(() => tf.abs(tf.sub(actual, expected)));
    const values = difference.dataSync() as Float32Array;
    // Float rounding only: a rotated position within about 1e-5 of halfway between two pixels may take the other.
    expect(values.reduce((sum, value) => sum + value, 0) / values.length).toBeLessThan(0.05);
    expect(values.filter((value) => value > 0.05).length / values.length).toBeLessThan(0.001);
    tf.dispose([expected, actual, difference]);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('is installed once, however often it is asked', () => {
    const installed = tf.image.rotateWithOffset;
    rotateOnlyCroppedRegions(tf);
    expect(tf.image.rotateWithOffset).toBe(installed);
  });

  it('leaves a crop from an image that was not rotated as it was', () => {
    const box = [[0.1, 0.2, 0.6, 0.5]];
    const expected = crop(image, box, [0], CROP_SIZE);
    const actual = tf.image.cropAndResize(image, box, [0], CROP_SIZE);
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([expected, actual]);
  });
});
