import { createRequire } from 'node:module';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import type { Config, FaceResult, Human, ObjectResult } from '@vladmandic/human';
import { loadFaceAttributeModels } from './face-attributes.js';
import { buildEngineFace, meshBox } from './face-detail.js';
import { rotateOnlyCroppedRegions } from './face-crop-rotation.js';
import { detectorAnchors, splitDetectorOutputs, strongestFaceNear, type DetectorModel } from './face-detector.js';
import type { RgbImage } from './face-quality.js';
import { humanWasmBuildPath, MODEL_SCHEME, registerModelLoader, tfjsWasmDir } from './human-models.js';
import type { EngineFace } from './types.js';

const require = createRequire(import.meta.url);

/**
 * Detector confidence floor. At 0.3 the detector invented a face on a photo of a suit; at 0.5 it invented none on
 * the fixtures, while real faces in group photos score as low as 0.6.
 */
export const DETECTOR_MIN_CONFIDENCE = 0.5;
/**
 * Candidates in the doubtful band between the floor and this score get a second look (below); those still doubtful
 * are cross-checked with the object detector (COCO classes): one lying on an animal and on no person is an animal's
 * face (the dog collage scores 0.6) and is dropped. The checks only ever remove faces on animals, so the band is
 * about cost: most portraits score above 0.7.
 */
export const SURE_FACE_SCORE = 0.7;
/**
 * The second look: the face detector runs again on a square crop this many face-box sides wide around the
 * candidate, where the face fills half of the detector's input. Faces in group photos are doubtful only because they
 * are small in the whole-photo view, and score 0.8-0.97 up close (a face cut by the image edge 0.82); the dog's face
 * stays doubtful (0.66). It costs a seventh of the object detector, which then runs only for candidates still
 * doubtful.
 */
const SECOND_LOOK_CROP_SIDES = 2;
/** Beyond this many doubtful candidates their second looks would cost more than one object-detector run. */
const MAX_SECOND_LOOKS = 6;
const ANIMAL_LABELS = new Set(['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'teddy bear']);
const OBJECT_MIN_CONFIDENCE = 0.3;

const humanConfig: Partial<Config> = {
  backend: 'wasm',
  wasmPath: tfjsWasmDir,
  modelBasePath: MODEL_SCHEME,
  debug: false,
  async: true,
  warmup: 'none',
  // Every call is an unrelated photo: no caching of boxes between frames.
  cacheSensitivity: 0,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: {
      enabled: true,
      // Crops are turned upright before the mesh, so faces lying on their side are meshed like upright ones.
      rotation: true,
      // Rekognition indexes at most 100 faces of an image.
      maxDetected: 100,
      minConfidence: DETECTOR_MIN_CONFIDENCE,
      skipFrames: 0,
      skipTime: 0,
      // Each face's upright crop comes back for the description and emotion models, which run outside Human
      // (face-attributes.ts) on the faces kept only.
      return: true,
    },
    mesh: { enabled: true },
    iris: { enabled: true, skipFrames: 0, skipTime: 0 },
    description: { enabled: false },
    emotion: { enabled: false },
    attention: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    gear: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
  // Loaded for the animal cross-check only; enabled just for that call.
  object: { enabled: true, modelPath: 'centernet.json', minConfidence: OBJECT_MIN_CONFIDENCE, maxDetected: 20, skipFrames: 0, skipTime: 0 },
};

export interface FaceModels {
  analyze(image: RgbImage): Promise<EngineFace[]>;
}

function contains(box: readonly number[], x: number, y: number): boolean {
  const [left = 0, top = 0, width = 0, height = 0] = box;
  return x >= left && x <= left + width && y >= top && y <= top + height;
}

function isAnimalFace(face: FaceResult, objects: ObjectResult[]): boolean {
  const box = meshBox(face.mesh as Array<[number, number, number]>);
  const x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const around = objects.filter((object) => contains(object.box, x, y));
  return around.some((object) => ANIMAL_LABELS.has(object.label)) && !around.some((object) => object.label === 'person');
}

/** Runs every graph model once on zeros: the first inference compiles and allocates, later ones are fast. */
function warmUp(tf: typeof TfCore, models: ReadonlyArray<TfConverter.GraphModel | null>): void {
  for (const model of models) {
    if (!model) continue;
    const inputs = model.inputs.map((input) =>
      tf.zeros((input.shape ?? []).map((side) => (side > 0 ? side : 1)), input.dtype as TfCore.DataType),
    );
    const outputs = model.execute(inputs.length === 1 ? inputs[0]! : inputs);
    tf.dispose([...inputs, ...(Array.isArray(outputs) ? outputs : [outputs])]);
  }
}

function faceDetectorOf(human: Human): DetectorModel {
  const detector = human.models.models.blazeface;
  if (!detector) throw new Error('the face detector model (blazeface) did not load');
  // Human types its models with its own bundled copy of the tfjs types; the model is the same at run time.
  return detector as unknown as DetectorModel;
}

/** Loads the face models (once) on the WebAssembly backend. One instance serves one image at a time. */
export async function loadFaceModels(): Promise<FaceModels> {
  const tf = require('@tensorflow/tfjs-core') as typeof TfCore;
  const { loadGraphModel } = require('@tensorflow/tfjs-converter') as typeof TfConverter;
  registerModelLoader(tf);
  rotateOnlyCroppedRegions(tf);
  const { Human: HumanClass } = require(humanWasmBuildPath) as typeof import('@vladmandic/human');
  const human = new HumanClass(humanConfig);
  await human.load();
  await human.tf.ready();
  const attributeModels = await loadFaceAttributeModels(tf, loadGraphModel);
  // Human types its models with its own bundled copy of the tfjs types; they are the same at run time.
  warmUp(tf, [...(Object.values(human.models.models) as unknown as TfConverter.GraphModel[]), ...attributeModels.graphs]);

  const detector = faceDetectorOf(human);
  const detectorSize = detector.inputs[0]?.shape?.[1] ?? 0;
  const anchors = detectorAnchors(detectorSize);

  /** The detector's score for a face near the centre of a crop around the candidate (see SECOND_LOOK_CROP_SIDES). */
  function secondLookScore(input: TfCore.Tensor4D, face: FaceResult): number {
    const [, height = 1, width = 1] = input.shape;
    const [left, top, boxWidth, boxHeight] = face.box;
    const half = (SECOND_LOOK_CROP_SIDES * Math.max(boxWidth, boxHeight)) / 2;
    const centreX = left + boxWidth / 2;
    const centreY = top + boxHeight / 2;
    return tf.tidy(() => {
      const crop = tf.image.cropAndResize(
        input,
        [[(centreY - half) / height, (centreX - half) / width, (centreY + half) / height, (centreX + half) / width]],
        [0],
        [detectorSize, detectorSize],
      );
      // The detector's own input range, as Human feeds it: -1 to 1.
      const outputs = detector.execute(tf.sub(tf.div(crop, 127.5), 1));
      const { scores, boxes } = splitDetectorOutputs(Array.isArray(outputs) ? outputs : [outputs]);
      const regressions = tf.concat(boxes, 1);
      return strongestFaceNear(tf.concat(scores, 1).dataSync(), regressions.dataSync(), regressions.shape.at(-1) ?? 0, anchors, detectorSize);
    });
  }

  async function detect(input: TfCore.Tensor, what: 'faces' | 'objects') {
    human.config.face.enabled = what === 'faces';
    human.config.object.enabled = what === 'objects';
    // Human types its input with its own bundled copy of the tfjs types; the tensor is the same at run time.
    return human.detect(input as never);
  }

  /**
   * The image as a float32 tensor, the type Human computes in (given int32, it casts the whole image on every
   * detect call): four bytes a channel, 12 MB for a 1024-pixel square photo. A fresh array per image made glibc raise
   * its mmap threshold and then serve such blocks from its per-thread arenas, which fragmented and kept growing under
   * load; one array per worker, grown only for a larger image, ends that churn. tfjs copies the values into
   * WebAssembly memory when the tensor is made, so the array is free again at once.
   */
  let pixelScratch = new Float32Array(0);
  function inputTensor(image: RgbImage): TfCore.Tensor4D {
    if (pixelScratch.length < image.data.length) pixelScratch = new Float32Array(image.data.length);
    const pixels = pixelScratch.subarray(0, image.data.length);
    pixels.set(image.data);
    return tf.tensor4d(pixels, [1, image.height, image.width, 3], 'float32');
  }

  return {
    async analyze(image) {
      const input = inputTensor(image);
      let found: FaceResult[] = [];
      try {
        found = (await detect(input, 'faces')).face;
        let faces = found;
        let doubtful = faces.filter((face) => face.boxScore < SURE_FACE_SCORE);
        if (doubtful.length <= MAX_SECOND_LOOKS) {
          doubtful = doubtful.filter((face) => secondLookScore(input, face) < SURE_FACE_SCORE);
        }
        if (doubtful.length > 0) {
          const objects = (await detect(input, 'objects')).object;
          faces = faces.filter((face) => !doubtful.includes(face) || !isAnimalFace(face, objects));
        }
        const attributes = await attributeModels.describe(faces.map((face) => face.tensor as unknown as TfCore.Tensor));
        return faces
          .map((face, index) => buildEngineFace({ score: face.score, mesh: face.mesh as Array<[number, number, number]>, ...attributes[index] }, image))
          .sort((a, b) => b.pixelWidth * b.pixelHeight - a.pixelWidth * a.pixelHeight);
      } finally {
        tf.dispose([input, ...found.map((face) => face.tensor as unknown as TfCore.Tensor)]);
      }
    },
  };
}
