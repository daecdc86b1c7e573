/**
 * Cosine similarity of two description-model embeddings at which Similarity is 80 (Rekognition's default
 * FaceMatchThreshold). Chosen on the fixtures' identity labels: every pair of different people scored at most
 * 0.555 (two faces cut from the same composite photo), whole faces of the same person at least 0.585.
 */
export const MATCH_COSINE = 0.56;
export const MATCH_SIMILARITY = 80;

function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(`cannot compare embeddings of lengths ${a.length} and ${b.length}`);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    dot += a[index]! * b[index]!;
    normA += a[index]! ** 2;
    normB += b[index]! ** 2;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/**
 * Similarity 0-100 as a piecewise-linear map of the cosine c: c <= 0 gives 0, c = MATCH_COSINE gives 80, c = 1
 * gives 100, linear in between. Monotonic, so ranking by Similarity is ranking by cosine.
 */
export function faceSimilarity(a: readonly number[], b: readonly number[]): number {
  const c = cosine(a, b);
  if (c <= 0) return 0;
  if (c <= MATCH_COSINE) return (MATCH_SIMILARITY * c) / MATCH_COSINE;
  return MATCH_SIMILARITY + ((100 - MATCH_SIMILARITY) * (Math.min(c, 1) - MATCH_COSINE)) / (1 - MATCH_COSINE);
}
