import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RequestError } from '../../../lambda/core/errors.js';
import { boundaryFromBody, parseUploadForm, type FormLimits, type UploadForm } from '../../../lambda/core/multipart.js';
import { encodeForm, fixture, imageFile, proxyEvent, rawMultipart, uploadForm } from '../support/upload-events.js';

const LIMITS: FormLimits = { maxImages: 50, maxImageBytes: 15 * 1024 * 1024 };

async function parse(form: FormData, options: Parameters<typeof proxyEvent>[1] = {}, limits = LIMITS): Promise<UploadForm> {
  return parseUploadForm(proxyEvent(await encodeForm(form), options), limits);
}

async function refusal(promise: Promise<unknown>): Promise<RequestError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RequestError);
  return error as RequestError;
}

describe('parseUploadForm', () => {
  it('reads every inputImages[] file in upload order and the collection', async () => {
    const form = await parse(uploadForm('staff', [imageFile('single_face_frontal.jpg'), imageFile('png_rgba.png', 'alex.png', 'image/png')]));
    expect(form.collection).toBe('staff');
    expect(form.files.map((file) => [file.fileName, file.declaredContentType, file.tooLarge])).toEqual([
      ['single_face_frontal.jpg', 'image/jpeg', false],
      ['alex.png', 'image/png', false],
    ]);
    expect(form.files[0]!.bytes.equals(fixture('single_face_frontal.jpg'))).toBe(true);
    expect(form.files[1]!.bytes.equals(fixture('png_rgba.png'))).toBe(true);
  });

  it('brings multi-megabyte binary files out byte-identical', async () => {
    const large = randomBytes(6 * 1024 * 1024);
    const form = await parse(uploadForm('staff', [new File([large], 'large.bin'), imageFile('group_6_faces.jpg')]));
    expect(form.files[0]!.bytes.equals(large)).toBe(true);
    expect(form.files[1]!.bytes.equals(fixture('group_6_faces.jpg'))).toBe(true);
  });

  it('accepts files under inputImages without brackets', async () => {
    const form = await parse(uploadForm('staff', [imageFile('bw_photo.jpeg')], 'inputImages'));
    expect(form.files).toHaveLength(1);
  });

  it('reads the Content-Type header whatever its case', async () => {
    const encoded = await encodeForm(uploadForm('staff', [imageFile('bw_photo.jpeg')]));
    for (const name of ['content-type', 'CONTENT-TYPE', 'Content-type']) {
      const form = await parseUploadForm(proxyEvent(encoded, { headers: { [name]: encoded.contentType } }), LIMITS);
      expect(form.files).toHaveLength(1);
    }
  });

  it('reads a body API Gateway passed as text when it is not base64-encoded', async () => {
    const boundary = 'text-only-boundary';
    const body = rawMultipart(boundary, [
      { name: 'collection', content: 'staff' },
      { name: 'inputImages[]', fileName: 'note.jpg', type: 'image/jpeg', content: 'not really an image' },
    ]);
    const form = await parseUploadForm(
      proxyEvent({ contentType: `multipart/form-data; boundary=${boundary}`, bytes: body }, { base64: false, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } }),
      LIMITS,
    );
    expect(form.files[0]!.bytes.toString()).toBe('not really an image');
  });

  it('keeps unicode file names as the client wrote them', async () => {
    const names = ['été.jpg', 'IMG 0001 (1).jpg', '照片📷.png', 'Ærøskøbing—ø.jpeg'];
    const form = await parse(uploadForm('staff', names.map((name) => imageFile('bw_photo.jpeg', name))));
    expect(form.files.map((file) => file.fileName)).toEqual(names);
  });

  it('keeps only the last path segment of hostile file names', async () => {
    const form = await parse(uploadForm('staff', [imageFile('bw_photo.jpeg', '../../etc/passwd'), imageFile('bw_photo.jpeg', 'C:\\Users\\me\\photo.jpg')]));
    expect(form.files.map((file) => file.fileName)).toEqual(['passwd', 'photo.jpg']);
  });

  it('reads file names with quotes and line breaks without letting them inject headers', async () => {
    const form = await parse(uploadForm('staff', [imageFile('bw_photo.jpeg', 'a"b\r\nContent-Type: text/html.jpg')]));
    expect(form.files).toHaveLength(1);
    expect(form.files[0]!.declaredContentType).toBe('image/jpeg');
    expect(form.files[0]!.bytes.equals(fixture('bw_photo.jpeg'))).toBe(true);
  });

  it('gives an empty name to a file part sent without one', async () => {
    const boundary = 'no-name-boundary';
    const body = rawMultipart(boundary, [
      { name: 'collection', content: 'staff' },
      { name: 'inputImages[]', type: 'application/octet-stream', content: fixture('bw_photo.jpeg') },
    ]);
    const form = await parseUploadForm(proxyEvent({ contentType: `multipart/form-data; boundary=${boundary}`, bytes: body }), LIMITS);
    expect(form.files.map((file) => file.fileName)).toEqual(['']);
  });

  it('marks a file over the size limit as too large, drops its bytes and keeps the others whole', async () => {
    const small = randomBytes(100);
    const form = await parse(uploadForm('staff', [new File([randomBytes(5000)], 'big.jpg'), new File([small], 'small.jpg')]), {}, { maxImages: 5, maxImageBytes: 4096 });
    expect(form.files[0]).toMatchObject({ fileName: 'big.jpg', tooLarge: true });
    expect(form.files[0]!.bytes).toHaveLength(0);
    expect(form.files[1]).toMatchObject({ fileName: 'small.jpg', tooLarge: false });
    expect(form.files[1]!.bytes.equals(small)).toBe(true);
  });

  describe('a missing or wrong boundary', () => {
    it('is recovered from the body when Content-Type was set by hand without one', async () => {
      const encoded = await encodeForm(uploadForm('staff', [imageFile('bw_photo.jpeg')]));
      const form = await parseUploadForm(proxyEvent(encoded, { headers: { 'Content-Type': 'multipart/form-data' } }), LIMITS);
      expect(form.files[0]!.bytes.equals(fixture('bw_photo.jpeg'))).toBe(true);
    });

    it('is recovered from a hand-written body', async () => {
      const body = rawMultipart('----WebKitFormBoundary7MA4YWxkTrZu0gW', [
        { name: 'inputImages[]', fileName: 'kerwin.jpeg', type: 'image/jpeg', content: fixture('single_face_frontal.jpg') },
        { name: 'collection', content: 'test-collection' },
      ]);
      const form = await parseUploadForm(proxyEvent({ contentType: '', bytes: body }, { headers: { 'content-type': 'multipart/form-data; charset=utf-8' } }), LIMITS);
      expect(form.collection).toBe('test-collection');
      expect(form.files[0]!.bytes.equals(fixture('single_face_frontal.jpg'))).toBe(true);
    });

    it('is taken from the body when the declared one does not occur in it', async () => {
      const body = rawMultipart('actual', [{ name: 'collection', content: 'staff' }, { name: 'inputImages[]', fileName: 'a.jpg', content: 'x' }]);
      const form = await parseUploadForm(proxyEvent({ contentType: '', bytes: body }, { headers: { 'Content-Type': 'multipart/form-data; boundary=declared' } }), LIMITS);
      expect(form.files).toHaveLength(1);
    });

    it('is refused with the fix when the body does not start with one either', async () => {
      const error = await refusal(
        parseUploadForm(proxyEvent({ contentType: '', bytes: Buffer.from('collection=staff') }, { headers: { 'Content-Type': 'multipart/form-data' } }), LIMITS),
      );
      expect(error).toMatchObject({ code: 'MALFORMED_MULTIPART', status: 400 });
      expect(error.message).toMatch(/boundary/);
    });

    it('reads the boundary from the first line, after any blank lines', () => {
      expect(boundaryFromBody(Buffer.from('\r\n--abc123\r\nContent-Disposition: form-data; name="x"\r\n'))).toBe('abc123');
      expect(boundaryFromBody(Buffer.from('--abc123\nrest'))).toBe('abc123');
      expect(boundaryFromBody(Buffer.from('abc123\r\n'))).toBeUndefined();
      expect(boundaryFromBody(Buffer.from(`--${'x'.repeat(71)}\r\n`))).toBeUndefined();
    });
  });

  describe('refuses, saying how to fix it,', () => {
    it('a body that is not multipart/form-data', async () => {
      const encoded = { contentType: 'application/json', bytes: Buffer.from('{"collection":"staff"}') };
      const error = await refusal(parseUploadForm(proxyEvent(encoded), LIMITS));
      expect(error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
      const missing = await refusal(parseUploadForm(proxyEvent(encoded, { headers: {} }), LIMITS));
      expect(missing).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
      expect(missing.message).toMatch(/missing/);
    });

    it('a FileList appended as a whole, which arrives as the text [object FileList]', async () => {
      const form = new FormData();
      form.append('inputImages[]', '[object FileList]');
      form.append('collection', 'test-collection');
      const error = await refusal(parse(form));
      expect(error).toMatchObject({ code: 'IMAGES_SENT_AS_TEXT', status: 400 });
      expect(error.message).toContain('[object FileList]');
      expect(error.message).toMatch(/append each file on its own/i);
    });

    it('images sent as text fields', async () => {
      const form = new FormData();
      form.append('inputImages', 'data:image/jpeg;base64,/9j/4AAQ');
      form.append('collection', 'staff');
      expect(await refusal(parse(form))).toMatchObject({ code: 'IMAGES_SENT_AS_TEXT', status: 400 });
    });

    it('more images than a request may carry', async () => {
      const files = Array.from({ length: 4 }, (_, i) => imageFile('bw_photo.jpeg', `${i}.jpeg`));
      const error = await refusal(parse(uploadForm('staff', files), {}, { maxImages: 3, maxImageBytes: LIMITS.maxImageBytes }));
      expect(error).toMatchObject({ code: 'TOO_MANY_IMAGES', status: 413 });
      expect(error.message).toContain('at most 3');
    });

    it('a flood of text fields', async () => {
      const form = uploadForm('staff', [imageFile('bw_photo.jpeg')]);
      for (let i = 0; i < 40; i += 1) form.append(`extra${i}`, 'x');
      expect(await refusal(parse(form))).toMatchObject({ code: 'TOO_MANY_PARTS', status: 413 });
    });

    it('a file under another field name', async () => {
      const form = uploadForm('staff', [imageFile('bw_photo.jpeg')]);
      form.append('photo', imageFile('bw_photo.jpeg'));
      const error = await refusal(parse(form));
      expect(error).toMatchObject({ code: 'UNEXPECTED_FILE_FIELD', status: 400 });
      expect(error.message).toContain('"photo"');
    });

    it('a form without images', async () => {
      expect(await refusal(parse(uploadForm('staff', [])))).toMatchObject({ code: 'NO_IMAGES', status: 400 });
    });

    it('a form without a collection', async () => {
      expect(await refusal(parse(uploadForm(undefined, [imageFile('bw_photo.jpeg')])))).toMatchObject({ code: 'MISSING_COLLECTION', status: 400 });
    });

    it('a form with the collection field repeated', async () => {
      const form = uploadForm('staff', [imageFile('bw_photo.jpeg')]);
      form.append('collection', 'visitors');
      const error = await refusal(parse(form));
      expect(error).toMatchObject({ code: 'INVALID_COLLECTION', status: 400 });
      expect(error.message).toMatch(/exactly one/);
    });

    it.each([['my collection'], ['-leading-dash'], ['café'], ['a/b'], ['x'.repeat(101)], ['']])('the invalid collection name %j', async (name) => {
      expect(await refusal(parse(uploadForm(name, [imageFile('bw_photo.jpeg')])))).toMatchObject({ code: 'INVALID_COLLECTION', status: 400 });
    });

    it('a file name with control characters, saying to rename the file', async () => {
      const body = rawMultipart('b', [{ name: 'collection', content: 'staff' }, { name: 'inputImages[]', fileName: 'a\x01b.jpg', content: 'x' }]);
      const error = await refusal(parseUploadForm(proxyEvent({ contentType: 'multipart/form-data; boundary=b', bytes: body }), LIMITS));
      expect(error).toMatchObject({ code: 'MALFORMED_MULTIPART', status: 400 });
      expect(error.message).toMatch(/control characters in a file name\)\. Rename the file/);
    });

    it('a body cut off in the middle of a part', async () => {
      const encoded = await encodeForm(uploadForm('staff', [imageFile('bw_photo.jpeg')]));
      const cut = { ...encoded, bytes: encoded.bytes.subarray(0, encoded.bytes.length - 200) };
      expect(await refusal(parseUploadForm(proxyEvent(cut), LIMITS))).toMatchObject({ code: 'MALFORMED_MULTIPART', status: 400 });
    });
  });
});
