import { describe, expect, it } from 'vitest';
import { faceSimilarity, MATCH_COSINE } from '../../../../local/face-service/engine/similarity.js';

/** A unit vector whose cosine with [1, 0] is c. */
function atCosine(c: number): number[] {
  return [c, Math.sqrt(1 - c * c)];
}

describe('faceSimilarity', () => {
  it('gives 100 for identical embeddings', () => {
    expect(faceSimilarity([0.6, 0.8], [0.6, 0.8])).toBeCloseTo(100, 6);
  });

  it('gives exactly the default match threshold of 80 at the calibrated cosine', () => {
    expect(faceSimilarity([1, 0], atCosine(MATCH_COSINE))).toBeCloseTo(80, 6);
  });

  it('gives 0 for unrelated or opposite embeddings', () => {
    expect(faceSimilarity([1, 0], [0, 1])).toBe(0);
    expect(faceSimilarity([1, 0], [-1, 0])).toBe(0);
  });

  it('rises with the cosine, so ranking by similarity is ranking by cosine', () => {
    const scores = [0.1, 0.3, MATCH_COSINE - 0.01, MATCH_COSINE + 0.01, 0.9].map((c) => faceSimilarity([1, 0], atCosine(c)));
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(scores[2]).toBeLessThan(80);
    expect(scores[3]).toBeGreaterThan(80);
  });

  it('refuses to compare embeddings of different lengths', () => {
    expect(() => faceSimilarity([1, 0], [1, 0, 0])).toThrow(/lengths 2 and 3/);
  });
});
