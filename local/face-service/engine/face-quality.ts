/** Pixel rectangle inside an image. */
export interface PixelBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface RgbImage {
  /** RGB, 3 bytes per pixel, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** Faces are resampled to this many pixels on a side before measuring, so sharpness does not depend on face size. */
const SAMPLE_SIDE = 64;
/**
 * Laplacian variance (of 0-255 luminance on the 64-pixel sample) at which Sharpness reaches 50. Measured on the
 * fixtures: crisp portraits give 150-600, the motion-blurred face about 20.
 */
const SHARPNESS_HALF_POINT = 100;

/** Luminance (Rec. 601) of the box resampled to SAMPLE_SIDE x SAMPLE_SIDE by averaging the pixels of each cell. */
function sampleLuminance(image: RgbImage, box: PixelBox): Float64Array {
  const sample = new Float64Array(SAMPLE_SIDE * SAMPLE_SIDE);
  const left = Math.max(0, Math.floor(box.left));
  const top = Math.max(0, Math.floor(box.top));
  const right = Math.min(image.width, Math.ceil(box.left + box.width));
  const bottom = Math.min(image.height, Math.ceil(box.top + box.height));
  const width = Math.max(1, right - left);
  const height = Math.max(1, bottom - top);
  for (let sy = 0; sy < SAMPLE_SIDE; sy++) {
    const y0 = top + Math.floor((sy * height) / SAMPLE_SIDE);
    const y1 = Math.max(y0 + 1, top + Math.floor(((sy + 1) * height) / SAMPLE_SIDE));
    for (let sx = 0; sx < SAMPLE_SIDE; sx++) {
      const x0 = left + Math.floor((sx * width) / SAMPLE_SIDE);
      const x1 = Math.max(x0 + 1, left + Math.floor(((sx + 1) * width) / SAMPLE_SIDE));
      let sum = 0;
      let count = 0;
      for (let y = y0; y < Math.min(y1, image.height); y++) {
        for (let x = x0; x < Math.min(x1, image.width); x++) {
          const offset = (y * image.width + x) * 3;
          sum += 0.299 * image.data[offset]! + 0.587 * image.data[offset + 1]! + 0.114 * image.data[offset + 2]!;
          count++;
        }
      }
      sample[sy * SAMPLE_SIDE + sx] = count > 0 ? sum / count : 0;
    }
  }
  return sample;
}

function laplacianVariance(sample: Float64Array): number {
  const values: number[] = [];
  for (let y = 1; y < SAMPLE_SIDE - 1; y++) {
    for (let x = 1; x < SAMPLE_SIDE - 1; x++) {
      const i = y * SAMPLE_SIDE + x;
      values.push(sample[i - 1]! + sample[i + 1]! + sample[i - SAMPLE_SIDE]! + sample[i + SAMPLE_SIDE]! - 4 * sample[i]!);
    }
  }
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
}

/**
 * Rekognition's Quality, measured on the face's own pixels: Brightness is the mean luminance (0-100), Sharpness
 * maps the variance of the Laplacian v to 100 * v / (v + SHARPNESS_HALF_POINT), so it rises steeply from 0 for blur
 * and saturates towards 100 for crisp detail.
 */
export function measureFaceQuality(image: RgbImage, box: PixelBox): { Brightness: number; Sharpness: number } {
  const sample = sampleLuminance(image, box);
  const meanLuminance = sample.reduce((sum, value) => sum + value, 0) / sample.length;
  const variance = laplacianVariance(sample);
  return {
    Brightness: (meanLuminance / 255) * 100,
    Sharpness: (100 * variance) / (variance + SHARPNESS_HALF_POINT),
  };
}
