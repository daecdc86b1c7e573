import type * as TfCore from '@tensorflow/tfjs-core';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { MODEL_SCHEME } from './human-models.js';

/** Labels of Human's grayscale emotion model (oarriaga), in the order of its outputs. */
const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];
/** The emotion model reads grey: this mix of red, green and blue, moved from 0..1 to -1..1. */
const GRAYSCALE_WEIGHTS = [0.2989, 0.587, 0.114];
/** Human reports scores truncated to hundredths and capped below certainty; kept, so the attributes stay as they were. */
const MAX_SCORE = 0.99;
/**
 * Faces per model call. Two faces share each layer's weights, which makes the description model about 8% cheaper per
 * face; more faces per call were measured no cheaper still, and each adds its activations (3 MB at the largest layer) to
 * the worker's WebAssembly memory, which never shrinks.
 */
const FACES_PER_CALL = 2;
/** The description model's outputs per face: the embedding, and the age as scores of 100 bins of a year each. */
const EMBEDDING_LENGTH = 1024;
const AGE_BINS = 100;

/** What the description and emotion models say about one face, as Human reports it. */
export interface FaceAttributes {
  age?: number;
  gender?: 'male' | 'female';
  genderScore?: number;
  emotions: Array<{ emotion: string; score: number }>;
  embedding: number[];
}

export interface FaceAttributeModels {
  /** For the warm-up: the graph models behind the attributes. */
  readonly graphs: GraphModel[];
  /** Attributes of each face, from its upright crop as Human hands it back ([size, size, 3], values 0-1). */
  describe(crops: readonly TfCore.Tensor[]): Promise<FaceAttributes[]>;
}

const trimmedScore = (value: number) => Math.min(MAX_SCORE, Math.trunc(100 * value) / 100);

/**
 * Age in years from the description model's age bins, refined towards the stronger neighbour of the strongest bin;
 * as in Human, the last bin has no neighbour above and gives no age (NaN).
 */
function ageFromBins(bins: ArrayLike<number>): number {
  let best = 0;
  for (let index = 1; index < bins.length; index++) if (bins[index]! > bins[best]!) best = index;
  const below = bins[best - 1] ?? NaN;
  const above = bins[best + 1] ?? NaN;
  return Math.round(below > above ? 10 * best - 100 * below : 10 * best + 100 * above) / 10;
}

/**
 * Human runs the description model (age, gender, embedding) and the emotion model on every face it finds, one face
 * per model call, before the engine can drop the faces it rejects (an animal's face). Here they run after that, on the
 * faces kept only, FACES_PER_CALL faces per call. The pre- and post-processing are Human 3.3's (faceres.ts and
 * emotion.ts), so the attributes are the ones Human gave.
 */
export async function loadFaceAttributeModels(tf: typeof TfCore, loadGraphModel: (url: string) => Promise<GraphModel>): Promise<FaceAttributeModels> {
  const [description, emotion] = await Promise.all([loadGraphModel(`${MODEL_SCHEME}faceres.json`), loadGraphModel(`${MODEL_SCHEME}emotion.json`)]);
  const sideOf = (model: GraphModel) => model.inputs[0]?.shape?.[1] ?? 0;
  /** Attributes of faces run through both models in one call each. */
  async function describeTogether(crops: readonly TfCore.Tensor[]): Promise<FaceAttributes[]> {
    const outputs = tf.tidy(() => {
      const faces = tf.stack(crops as TfCore.Tensor[]) as TfCore.Tensor4D;
      const descriptionInput = tf.mul(tf.image.resizeBilinear(faces, [sideOf(description), sideOf(description)]), 255);
      const grey = tf.sum(tf.mul(tf.image.resizeBilinear(faces, [sideOf(emotion), sideOf(emotion)]), tf.tensor1d(GRAYSCALE_WEIGHTS)), 3, true);
      const emotionInput = tf.mul(tf.sub(grey, 0.5), 2);
      return [...(description.execute(descriptionInput) as TfCore.Tensor[]), emotion.execute(emotionInput) as TfCore.Tensor];
    });
    try {
      // The description model's outputs are told apart by width, as Human does.
      const byWidth = (width: number) => outputs.find((output) => output.shape[1] === width)!;
      const [genders, ages, embeddings, emotions] = await Promise.all(
        [byWidth(1), byWidth(AGE_BINS), byWidth(EMBEDDING_LENGTH), outputs.at(-1)!].map((output) => output.data() as Promise<Float32Array>),
      );
      return crops.map((_, face) => {
        const attributes: FaceAttributes = {
          // Every emotion scoring above 0 is listed, as Rekognition lists all of its emotions.
          emotions: EMOTION_LABELS.map((label, index) => ({ emotion: label, score: emotions![face * EMOTION_LABELS.length + index]! }))
            .filter((entry) => entry.score > 0)
            .map((entry) => ({ emotion: entry.emotion, score: trimmedScore(entry.score) }))
            .sort((a, b) => b.score - a.score),
          embedding: Array.from(embeddings!.subarray(face * EMBEDDING_LENGTH, (face + 1) * EMBEDDING_LENGTH)),
        };
        const age = ageFromBins(ages!.subarray(face * AGE_BINS, (face + 1) * AGE_BINS));
        if (age) attributes.age = age;
        const male = genders![face]!;
        const genderConfidence = Math.trunc(200 * Math.abs(male - 0.5)) / 100;
        if (genderConfidence > 0) {
          attributes.gender = male <= 0.5 ? 'female' : 'male';
          attributes.genderScore = Math.min(MAX_SCORE, genderConfidence);
        }
        return attributes;
      });
    } finally {
      tf.dispose(outputs);
    }
  }

  return {
    graphs: [description, emotion],
    async describe(crops) {
      const attributes: FaceAttributes[] = [];
      for (let first = 0; first < crops.length; first += FACES_PER_CALL) {
        attributes.push(...(await describeTogether(crops.slice(first, first + FACES_PER_CALL))));
      }
      return attributes;
    },
  };
}
