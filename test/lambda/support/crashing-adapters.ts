// A Lambda dying at a chosen point: wrappers around the port implementations that let every call through until
// the crash point, throw there, and from then on refuse every call (a dead process writes nothing more, not even
// the cleanup its error handling would attempt).
import type { FaceIndex, ImageRecordStore, ImageStore } from '../../../lambda/ports.js';

export const CRASHABLE_STEPS = [
  'records.create',
  'records.get',
  'records.takeOver',
  'images.put',
  'faces.ensureCollection',
  'faces.indexFaces',
  'records.complete',
] as const;
export type CrashableStep = (typeof CRASHABLE_STEPS)[number] | 'records.release';

/** `after` a step: the step took effect, its caller never learns of it. `before`: it never happened. */
export type CrashPoint = `${'before' | 'after'} ${CrashableStep}`;

export class SimulatedCrash extends Error {
  constructor(at: string) {
    super(`simulated crash ${at}`);
    this.name = 'SimulatedCrash';
  }
}

export interface CrashingAdapters {
  images: ImageStore;
  faces: FaceIndex;
  records: ImageRecordStore;
  /** Whether the crash point was reached. */
  crashed(): boolean;
}

export function crashingAdapters(real: { images: ImageStore; faces: FaceIndex; records: ImageRecordStore }, point: CrashPoint): CrashingAdapters {
  let crashed = false;
  async function step<Result>(name: CrashableStep, run: () => Promise<Result>): Promise<Result> {
    if (crashed) throw new SimulatedCrash(`(already dead, at ${name})`);
    if (point === `before ${name}`) {
      crashed = true;
      throw new SimulatedCrash(point);
    }
    const result = await run();
    if (point === `after ${name}`) {
      crashed = true;
      throw new SimulatedCrash(point);
    }
    return result;
  }
  return {
    images: { put: (image) => step('images.put', () => real.images.put(image)) },
    faces: {
      ensureCollection: (collectionId) => step('faces.ensureCollection', () => real.faces.ensureCollection(collectionId)),
      indexFaces: (request) => step('faces.indexFaces', () => real.faces.indexFaces(request)),
    },
    records: {
      get: (key) => step('records.get', () => real.records.get(key)),
      create: (key, record) => step('records.create', () => real.records.create(key, record)),
      takeOver: (key, previous, claim) => step('records.takeOver', () => real.records.takeOver(key, previous, claim)),
      complete: (key, result) => step('records.complete', () => real.records.complete(key, result)),
      release: (key, claimId) => step('records.release', () => real.records.release(key, claimId)),
    },
    crashed: () => crashed,
  };
}
