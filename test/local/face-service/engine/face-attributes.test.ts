import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaceAttributeModels, type FaceAttributeModels } from '../../../../local/face-service/engine/face-attributes.js';
import { ANALYSIS_MAX_SIDE } from '../../../../local/face-service/engine/human-engine.js';
import { humanWasmBuildPath, MODEL_SCHEME, registerModelLoader, tfjsWasmDir } from '../../../../local/face-service/engine/human-models.js';
import { decodeImage } from '../../../../local/face-service/engine/image-decoder.js';
import { fixture } from './fixtures.js';

// The tfjs instance Human itself uses (its WebAssembly build requires it).
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core') as typeof TfCore;
const { loadGraphModel } = require('@tensorflow/tfjs-converter') as typeof TfConverter;

/** Human with its own description and emotion models on, as the engine ran it before: the reference. */
const referenceConfig: Partial<Config> = {
  backend: 'wasm',
  wasmPath: tfjsWasmDir,
  modelBasePath: MODEL_SCHEME,
  debug: false,
  warmup: 'none',
  cacheSensitivity: 0,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: { enabled: true, rotation: true, maxDetected: 100, minConfidence: 0.5, skipFrames: 0, skipTime: 0, return: true },
    mesh: { enabled: true },
    iris: { enabled: true, skipFrames: 0, skipTime: 0 },
    description: { enabled: true, minConfidence: 0, skipFrames: 0, skipTime: 0 },
    emotion: { enabled: true, minConfidence: 0, skipFrames: 0, skipTime: 0 },
    attention: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
  object: { enabled: false },
};

let human: Human;
let models: FaceAttributeModels;
const faces: FaceResult[] = [];

beforeAll(async () => {
  registerModelLoader(tf);
  const { Human: HumanClass } = require(humanWasmBuildPath) as typeof import('@vladmandic/human');
  human = new HumanClass(referenceConfig);
  await human.load();
  models = await loadFaceAttributeModels(tf, loadGraphModel);
  for (const name of ['single_face_frontal.jpg', 'group_2_faces.jpg', 'grayscale_face.png']) {
    const { data, width, height } = await decodeImage(fixture(name), ANALYSIS_MAX_SIDE);
    const input = tf.tensor4d(Float32Array.from(data), [1, height, width, 3]);
    faces.push(...(await human.detect(input as never)).face);
    input.dispose();
  }
}, 60_000);

afterAll(() => {
  tf.dispose(faces.map((face) => face.tensor as unknown as TfCore.Tensor));
});

const cropOf = (face: FaceResult) => face.tensor as unknown as TfCore.Tensor;

describe('the description and emotion models run on the kept faces', () => {
  it('give each face the age, gender, emotions and embedding Human gave it, two faces per call', async () => {
    expect(faces).toHaveLength(4);
    const attributes = await models.describe(faces.map(cropOf));
    attributes.forEach((described, index) => {
      const face = faces[index]!;
      expect(described.age).toBe(face.age);
      expect(described.gender).toBe(face.gender);
      expect(described.genderScore).toBe(face.genderScore);
      expect(described.emotions).toEqual(face.emotion);
      expect(described.embedding).toHaveLength(1024);
      described.embedding.forEach((value, position) => expect(value).toBeCloseTo(face.embedding![position]!, 5));
    });
  });

  it('describe a face alike alone or in a batch, and nothing when there is no face', async () => {
    const batch = await models.describe(faces.map(cropOf));
    const alone = await models.describe([cropOf(faces[1]!)]);
    expect(alone[0]!.age).toBe(batch[1]!.age);
    alone[0]!.embedding.forEach((value, position) => expect(value).toBeCloseTo(batch[1]!.embedding[position]!, 5));
    expect(await models.describe([])).toEqual([]);
  });

  it('leave no tensor behind', async () => {
    const tensors = tf.memory().numTensors;
    await models.describe(faces.map(cropOf));
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
