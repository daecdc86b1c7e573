import { describe, expect, it } from 'vitest';
import { measureFaceQuality, type RgbImage } from '../../../../local/face-service/engine/face-quality.js';

function image(width: number, height: number, grey: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.fill(grey(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { data, width, height };
}

const wholeBox = { left: 0, top: 0, width: 128, height: 128 };

describe('measureFaceQuality', () => {
  it('reports the mean luminance of the face as Brightness 0-100', () => {
    expect(measureFaceQuality(image(128, 128, () => 0), wholeBox).Brightness).toBe(0);
    expect(measureFaceQuality(image(128, 128, () => 255), wholeBox).Brightness).toBeCloseTo(100, 6);
    expect(measureFaceQuality(image(128, 128, () => 51), wholeBox).Brightness).toBeCloseTo(20, 6);
  });

  it('measures only the pixels inside the face box', () => {
    const halves = image(128, 128, (x) => (x < 64 ? 0 : 255));
    expect(measureFaceQuality(halves, { left: 64, top: 0, width: 64, height: 128 }).Brightness).toBeCloseTo(100, 6);
  });

  it('gives a flat face no sharpness and fine detail a high one', () => {
    expect(measureFaceQuality(image(128, 128, () => 120), wholeBox).Sharpness).toBe(0);
    const detailed = image(128, 128, (x, y) => ((Math.floor(x / 2) + Math.floor(y / 2)) % 2 === 0 ? 40 : 200));
    expect(measureFaceQuality(detailed, wholeBox).Sharpness).toBeGreaterThan(90);
  });

  it('scores a soft gradient between flat and detailed', () => {
    const soft = measureFaceQuality(image(128, 128, (x, y) => Math.round(127 + 100 * Math.sin(x / 12) * Math.cos(y / 12))), wholeBox);
    expect(soft.Sharpness).toBeGreaterThan(0);
    expect(soft.Sharpness).toBeLessThan(50);
  });

  it('does not depend on how many pixels the face has', () => {
    const pattern = (scale: number) => (x: number, y: number) => ((Math.floor(x / (4 * scale)) + Math.floor(y / (4 * scale))) % 2 === 0 ? 60 : 180);
    const small = measureFaceQuality(image(64, 64, pattern(1)), { left: 0, top: 0, width: 64, height: 64 }).Sharpness;
    const large = measureFaceQuality(image(256, 256, pattern(4)), { left: 0, top: 0, width: 256, height: 256 }).Sharpness;
    expect(Math.abs(small - large)).toBeLessThan(5);
  });
});
