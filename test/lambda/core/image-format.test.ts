import { describe, expect, it } from 'vitest';
import { ImageError } from '../../../lambda/core/errors.js';
import { inspectImage } from '../../../lambda/core/image-format.js';
import { fixture } from '../support/upload-events.js';

function rejection(bytes: Uint8Array): ImageError {
  try {
    inspectImage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ImageError);
    return error as ImageError;
  }
  throw new Error('inspectImage accepted the image');
}

function pngHeader(width: number, height: number): Buffer {
  const header = Buffer.alloc(45);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header.writeUInt32BE(0, 33);
  header.write('IEND', 37, 'latin1');
  return header;
}

describe('inspectImage', () => {
  it.each([
    ['single_face_frontal.jpg', 'jpeg', 561, 561],
    ['match_person2.jpg', 'jpeg', 970, 2204],
    ['exif_orientation_6.jpeg', 'jpeg', 640, 480],
    ['group_6_faces.jpg', 'jpeg', 1200, 630],
    ['grayscale_face.png', 'png', 150, 150],
    ['png_rgba.png', 'png', 424, 394],
  ])('reads %s as %s of %ix%i px', (name, format, width, height) => {
    expect(inspectImage(fixture(name))).toMatchObject({ format, width, height });
  });

  it('goes by content, not by file name: PNG bytes named .jpg are a PNG', () => {
    expect(inspectImage(fixture('ext_mismatch_png_as.jpg'))).toMatchObject({ format: 'png', contentType: 'image/png', width: 325, height: 402 });
  });

  it('refuses an empty file', () => {
    expect(rejection(new Uint8Array())).toMatchObject({ code: 'EMPTY_IMAGE', fault: 'client' });
  });

  it('names WebP, GIF and HEIC when refusing them', () => {
    expect(rejection(fixture('webp_format.webp')).message).toContain('WebP');
    expect(rejection(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')).message).toContain('GIF');
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1')]);
    const error = rejection(heic);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_IMAGE_FORMAT', fault: 'client' });
    expect(error.message).toContain('HEIC');
  });

  it('refuses bytes of no known image format', () => {
    expect(rejection(fixture('invalid/empty.png'))).toMatchObject({ code: 'UNSUPPORTED_IMAGE_FORMAT' });
    expect(rejection(Buffer.from('%PDF-1.7 ...')).message).toContain('PDF');
  });

  it('refuses a JPEG cut off before its end', () => {
    expect(rejection(fixture('invalid/truncated.jpg'))).toMatchObject({ code: 'CORRUPT_IMAGE', fault: 'client' });
    const whole = fixture('single_face_frontal.jpg');
    expect(rejection(whole.subarray(0, whole.length / 2))).toMatchObject({ code: 'CORRUPT_IMAGE' });
  });

  it('tolerates stray bytes between JPEG segments, as decoders do', () => {
    const whole = fixture('bw_photo.jpeg');
    const afterFirstSegment = 4 + whole.readUInt16BE(4);
    const padded = Buffer.concat([whole.subarray(0, afterFirstSegment), Buffer.from([0x00, 0x00, 0x00]), whole.subarray(afterFirstSegment)]);
    expect(inspectImage(padded)).toMatchObject({ format: 'jpeg', width: 256, height: 256 });
  });

  it('refuses a PNG with a malformed header or cut off before its end', () => {
    expect(rejection(fixture('invalid/corrupted.png'))).toMatchObject({ code: 'CORRUPT_IMAGE' });
    const whole = fixture('png_rgba.png');
    expect(rejection(whole.subarray(0, whole.length - 20))).toMatchObject({ code: 'CORRUPT_IMAGE' });
  });

  it('refuses images under 80 px on a side, and accepts 80 px', () => {
    expect(rejection(pngHeader(79, 500))).toMatchObject({ code: 'IMAGE_TOO_SMALL', fault: 'client' });
    expect(rejection(pngHeader(500, 40)).message).toContain('500x40');
    expect(inspectImage(pngHeader(80, 80))).toMatchObject({ width: 80, height: 80 });
  });

  it('refuses a header declaring more pixels than can be decoded, naming the size, and accepts the limit itself', () => {
    const bomb = rejection(pngHeader(50_000, 50_000));
    expect(bomb).toMatchObject({ code: 'IMAGE_TOO_LARGE', fault: 'client' });
    expect(bomb.message).toContain('50000x50000 px (2500 megapixels)');
    expect(bomb.message).toMatch(/Resize it/);
    expect(inspectImage(pngHeader(16_383, 16_383))).toMatchObject({ width: 16_383 });
  });
});
