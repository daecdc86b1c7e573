import os from 'node:os';
import { decodeImage } from './image-decoder.js';
import { faceSimilarity } from './similarity.js';
import type { EngineAnalysis, FaceEngine } from './types.js';
import { AnalysisWorkerPool } from './worker-pool.js';

/** Reported as FaceModelVersion. */
export const HUMAN_ENGINE_MODEL_VERSION = 'facegate-human-3.3';
/**
 * Images are analysed at most this many pixels on the long side: the detector sees 256 pixels, the mesh and
 * description models crops of 192-224, so more only costs decoding and copying (a 50-pixel face in a 1024-pixel
 * photo keeps its full resolution).
 */
export const ANALYSIS_MAX_SIDE = 1024;

export interface HumanEngineOptions {
  /** Worker threads, each with its own copy of the models; defaults to the number of cores. */
  workers?: number;
}

/** The on-device face engine: @vladmandic/human on the TensorFlow.js WebAssembly backend, in worker threads. */
export async function createHumanEngine(options: HumanEngineOptions = {}): Promise<FaceEngine> {
  const workers = options.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`workers must be a positive integer, got ${workers}`);
  }
  const pool = await AnalysisWorkerPool.start(workers);
  return {
    modelVersion: HUMAN_ENGINE_MODEL_VERSION,
    async analyze(bytes): Promise<EngineAnalysis> {
      const decoded = await decodeImage(bytes, ANALYSIS_MAX_SIDE);
      // A private copy, so its memory can be moved to the worker without detaching a buffer sharp may share.
      const pixels = new Uint8Array(decoded.data);
      const faces = await pool.analyze({ data: pixels, width: decoded.width, height: decoded.height });
      const scale = decoded.uprightWidth / decoded.width;
      return {
        width: decoded.uprightWidth,
        height: decoded.uprightHeight,
        faces: faces.map((face) => ({ ...face, pixelWidth: face.pixelWidth * scale, pixelHeight: face.pixelHeight * scale })),
      };
    },
    similarity: faceSimilarity,
    close: () => pool.close(),
  };
}
