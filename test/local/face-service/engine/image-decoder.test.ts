import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../local/face-service/engine/image-decoder.js';
import { EngineImageError } from '../../../../local/face-service/engine/types.js';
import { fixture } from './fixtures.js';

async function decodeError(bytes: Uint8Array): Promise<EngineImageError> {
  const error = await decodeImage(bytes, 1280).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineImageError);
  return error as EngineImageError;
}

async function solidPng(width: number, height: number, channels: 1 | 3 | 4): Promise<Buffer> {
  const background = channels === 1 ? { r: 128, g: 128, b: 128 } : { r: 10, g: 20, b: 30, alpha: 0 };
  return sharp({ create: { width, height, channels: channels === 1 ? 3 : channels, background } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png()
    .toBuffer();
}

describe('decodeImage', () => {
  it.each(['webp_format.webp', 'invalid/truncated.jpg', 'invalid/corrupted.png', 'invalid/empty.png'])(
    'rejects %s as an invalid image format',
    async (name) => {
      expect((await decodeError(fixture(name))).kind).toBe('InvalidImageFormat');
    },
  );

  it('rejects empty input and bytes that are no image at all', async () => {
    expect((await decodeError(new Uint8Array())).kind).toBe('InvalidImageFormat');
    expect((await decodeError(new TextEncoder().encode('definitely not a photo'))).kind).toBe('InvalidImageFormat');
  });

  it('rejects a JPEG or PNG cut short instead of padding it with grey', async () => {
    for (const name of ['single_face_frontal.jpg', 'png_rgba.png']) {
      const whole = fixture(name);
      expect((await decodeError(whole.subarray(0, Math.floor(whole.length * 0.6)))).kind).toBe('InvalidImageFormat');
    }
  });

  it('rejects an image narrower than 80 pixels as too small', async () => {
    const error = await decodeError(await solidPng(79, 400, 3));
    expect(error.kind).toBe('ImageTooSmall');
    expect(error.message).toContain('79x400');
  });

  it('accepts an image of exactly 80 pixels on its short side', async () => {
    const image = await decodeImage(await solidPng(80, 120, 3), 1280);
    expect([image.width, image.height]).toEqual([80, 120]);
  });

  it('recognises a PNG by its content whatever the file is called', async () => {
    const image = await decodeImage(fixture('ext_mismatch_png_as.jpg'), 1280);
    expect([image.width, image.height]).toEqual([325, 402]);
  });

  it('applies the EXIF orientation so the image is upright', async () => {
    const image = await decodeImage(fixture('exif_orientation_6.jpeg'), 1280);
    expect([image.uprightWidth, image.uprightHeight]).toEqual([480, 640]);
    expect([image.width, image.height]).toEqual([480, 640]);
  });

  it('expands grey to three channels and flattens transparency onto white', async () => {
    const grey = await decodeImage(await solidPng(100, 100, 1), 1280);
    expect(grey.data.length).toBe(100 * 100 * 3);
    expect([...grey.data.subarray(0, 3)]).toEqual([128, 128, 128]);
    const transparent = await decodeImage(await solidPng(100, 100, 4), 1280);
    expect(transparent.data.length).toBe(100 * 100 * 3);
    expect([...transparent.data.subarray(0, 3)]).toEqual([255, 255, 255]);
  });

  it('downscales large photos for analysis but reports their upright size', async () => {
    const image = await decodeImage(fixture('match_person2.jpg'), 1280);
    expect([image.uprightWidth, image.uprightHeight]).toEqual([970, 2204]);
    expect(image.height).toBe(1280);
    expect(image.width).toBe(Math.round((970 * 1280) / 2204));
  });
});
