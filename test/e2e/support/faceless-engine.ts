// A face engine that finds no face in any image: for tests of the stack's wiring, where the face model's
// answers do not matter and loading it would only cost time.
import type { EngineAnalysis, FaceEngine } from '../../../local/face-service/engine/types.js';

export function createFacelessEngine(): FaceEngine & { readonly analyzed: number } {
  let analyzed = 0;
  return {
    modelVersion: 'faceless-test-engine',
    get analyzed() {
      return analyzed;
    },
    async analyze(): Promise<EngineAnalysis> {
      analyzed += 1;
      return { width: 640, height: 480, faces: [] };
    },
    similarity: () => 0,
    close: async () => undefined,
  };
}
