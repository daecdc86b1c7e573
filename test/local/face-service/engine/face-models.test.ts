import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFaceModels, type FaceModels } from '../../../../local/face-service/engine/face-models.js';
import { ANALYSIS_MAX_SIDE } from '../../../../local/face-service/engine/human-engine.js';
import { decodeImage } from '../../../../local/face-service/engine/image-decoder.js';
import { fixture } from './fixtures.js';

const tf = createRequire(import.meta.url)('@tensorflow/tfjs-core') as typeof TfCore;

/** Photos that take every path of an analysis: many faces, second looks, the animal check, none found, rotation. */
const PHOTOS = ['group_6_faces.jpg', 'no_face_dogs.jpg', 'no_face_landscape.jpg', 'rotated_90.jpg', 'single_face_frontal.jpg'];

let models: FaceModels;

/** Analyses every photo once; the models take the pixels' memory, so each pass decodes afresh. */
async function analyseAll(): Promise<number> {
  let faces = 0;
  for (const name of PHOTOS) {
    const { data, width, height } = await decodeImage(fixture(name), ANALYSIS_MAX_SIDE);
    faces += (await models.analyze({ data: new Uint8Array(data), width, height })).length;
  }
  return faces;
}

const wasmMemoryBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;

beforeAll(async () => {
  models = await loadFaceModels();
  await analyseAll();
}, 60_000);

describe('the face models in one worker', () => {
  it('leave no tensor behind and stop growing their WebAssembly memory once every kind of photo was seen', async () => {
    const tensors = tf.memory().numTensors;
    const wasmMemory = wasmMemoryBytes();
    expect(await analyseAll()).toBe(8);
    expect(await analyseAll()).toBe(8);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmMemoryBytes()).toBe(wasmMemory);
  }, 60_000);
});
