import type { RgbImage } from './face-quality.js';
import type { EngineFace } from './types.js';

/** Messages between the engine and its analysis workers. */
export interface AnalysisRequest {
  id: number;
  image: RgbImage;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'load-failure'; error: string }
  | { type: 'result'; id: number; faces: EngineFace[] }
  | { type: 'failure'; id: number; error: string };
