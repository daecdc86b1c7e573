import { describe, expect, it } from 'vitest';
import { largestSendable, MAX_BODY_BYTES, packBatches, partBytes } from '../../scripts/indexer/batching.js';

const photo = (name: string, bytes: number) => ({ name, bytes });
const limits = { maxImages: 50, maxBodyBytes: MAX_BODY_BYTES };

describe('packing photos into upload requests', () => {
  it('puts at most the count limit of photos in one request', () => {
    const photos = Array.from({ length: 120 }, (_, index) => photo(`p${index}.jpg`, 10_000));
    const { batches, tooLarge } = packBatches(photos, limits);
    expect(batches.map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(tooLarge).toEqual([]);
  });

  it('keeps every request within the body budget, counting part headers and file names', () => {
    const photos = Array.from({ length: 10 }, (_, index) => photo(`IMG_${index}.jpg`, 1_500_000));
    const { batches } = packBatches(photos, limits);
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 2, 2, 2]);
    for (const batch of batches) expect(batch.reduce((sum, item) => sum + partBytes(item), 0)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('keeps the upload order across requests', () => {
    const photos = [photo('a', 3_000_000), photo('b', 3_000_000), photo('c', 100), photo('d', 100)];
    expect(packBatches(photos, limits).batches.map((batch) => batch.map((item) => item.name))).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('sets apart a photo too large to travel even alone, and sends the others', () => {
    const huge = photo('panorama.jpg', largestSendable(limits) + 1);
    const fits = photo('exactly.jpg', largestSendable(limits) - 3 * Buffer.byteLength('exactly.jpg'));
    const { batches, tooLarge } = packBatches([huge, fits, photo('small.jpg', 1000)], limits);
    expect(tooLarge).toEqual([huge]);
    expect(batches).toEqual([[fits], [photo('small.jpg', 1000)]]);
  });

  it('honours a smaller batch size', () => {
    const photos = Array.from({ length: 7 }, (_, index) => photo(`p${index}`, 10));
    expect(packBatches(photos, { ...limits, maxImages: 3 }).batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it('makes no request for no photo', () => {
    expect(packBatches([], limits)).toEqual({ batches: [], tooLarge: [] });
  });
});
