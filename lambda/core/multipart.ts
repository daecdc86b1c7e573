// Reads the upload form from an API Gateway proxy event with busboy 1.x (streaming, with limits), and turns
// every way a client can get the form wrong into a RequestError that says how to fix it.
import busboy from 'busboy';
import { RequestError } from './errors.js';
import { CLIENT_COLLECTION_MAX_LENGTH, CLIENT_COLLECTION_PATTERN } from './naming.js';

const IMAGE_FIELD_NAMES: readonly string[] = ['inputImages[]', 'inputImages'];
const COLLECTION_FIELD_NAME = 'collection';

export interface FormLimits {
  maxImages: number;
  maxImageBytes: number;
}

export interface UploadedFile {
  /** As the client sent it (UTF-8, path stripped); '' when the part had no file name. */
  fileName: string;
  declaredContentType: string;
  /** Empty when the file went over `maxImageBytes` (its bytes are dropped as they arrive). */
  bytes: Buffer;
  tooLarge: boolean;
}

export interface UploadForm {
  collection: string;
  files: UploadedFile[];
}

export interface UploadRequest {
  headers: Readonly<Record<string, string | undefined>> | null;
  body: string | null;
  isBase64Encoded: boolean;
}

// Text fields beyond `collection` are tolerated (clients add their own) but bounded.
const MAX_TEXT_FIELDS = 16;
const MAX_TEXT_FIELD_BYTES = 64 * 1024;
const MAX_PART_HEADER_PAIRS = 16;
// RFC 2046: 1 to 70 characters from this set, not ending with a space.
const BOUNDARY_PATTERN = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

function headerValue(headers: UploadRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

function decodeBody(body: string | null, isBase64Encoded: boolean): Buffer {
  if (!body) return Buffer.alloc(0);
  return Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
}

/** The boundary the body actually uses: its first line is `--<boundary>`. */
export function boundaryFromBody(body: Buffer): string | undefined {
  let start = 0;
  while (body[start] === 0x0d || body[start] === 0x0a) start += 1;
  if (body[start] !== 0x2d || body[start + 1] !== 0x2d) return undefined;
  const lineEnd = body.indexOf(0x0a, start);
  if (lineEnd === -1) return undefined;
  const boundary = body.toString('latin1', start + 2, body[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd);
  return BOUNDARY_PATTERN.test(boundary) ? boundary : undefined;
}

function declaredBoundary(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  return boundary ? boundary : undefined;
}

/**
 * The Content-Type to parse with. Clients following the published examples set `multipart/form-data` by hand,
 * which drops the boundary: it is then read from the body, as it is when the declared one is not in the body.
 */
function multipartContentType(contentType: string | undefined, body: Buffer): string {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'multipart/form-data') {
    throw new RequestError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type is ${contentType ? `"${contentType}"` : 'missing'}; send the images as multipart/form-data (for example a FormData body, without setting Content-Type by hand).`,
    );
  }
  const declared = declaredBoundary(contentType!);
  if (declared && body.includes(`--${declared}`, 0, 'latin1')) return contentType!;
  const recovered = boundaryFromBody(body);
  if (!recovered) {
    throw new RequestError(
      'MALFORMED_MULTIPART',
      declared
        ? 'The body does not use the boundary declared in Content-Type; let the HTTP client set Content-Type for a FormData body.'
        : 'Content-Type has no boundary and the body does not start with one; let the HTTP client set Content-Type for a FormData body.',
    );
  }
  return `multipart/form-data; boundary="${recovered}"`;
}

function imagesSentAsText(value: string): RequestError {
  if (/^\[object \w+\]$/.test(value.trim())) {
    return new RequestError(
      'IMAGES_SENT_AS_TEXT',
      `inputImages[] arrived as the text "${value.trim()}" instead of files: a FileList was appended as a whole. Append each file on its own: for (const file of input.files) form.append("inputImages[]", file).`,
    );
  }
  return new RequestError(
    'IMAGES_SENT_AS_TEXT',
    'inputImages[] arrived as a text field; send each image as a file part (form.append("inputImages[]", file)), not as text or a data URL.',
  );
}

function validCollection(values: string[], truncated: boolean): string {
  if (values.length === 0) {
    throw new RequestError('MISSING_COLLECTION', 'The form has no "collection" field; add one text field naming the collection to index into, e.g. form.append("collection", "employees").');
  }
  if (values.length > 1) {
    throw new RequestError('INVALID_COLLECTION', `The form has ${values.length} "collection" fields; send exactly one (one request indexes into one collection).`);
  }
  const collection = values[0]!;
  if (truncated || !CLIENT_COLLECTION_PATTERN.test(collection)) {
    throw new RequestError(
      'INVALID_COLLECTION',
      `"collection" must be 1 to ${CLIENT_COLLECTION_MAX_LENGTH} characters of letters, digits, "_", "." and "-", starting with a letter or digit.`,
    );
  }
  return collection;
}

/** Parses the whole form, then refuses it for the first problem found, most specific first. */
export async function parseUploadForm(request: UploadRequest, limits: FormLimits): Promise<UploadForm> {
  const body = decodeBody(request.body, request.isBase64Encoded);
  const contentType = multipartContentType(headerValue(request.headers, 'content-type'), body);
  const files: UploadedFile[] = [];
  const collections: string[] = [];
  let collectionTruncated = false;
  let textImages: string | undefined;
  let unexpectedFileField: string | undefined;
  let limitReached: RequestError | undefined;

  await new Promise<void>((resolve, reject) => {
    // busboy reports a broken body on the parser and on the file being read: answer the first report.
    const malformed = (error: unknown) => {
      const detail = error instanceof Error ? error.message : String(error);
      // busboy refuses part headers with control characters, which a raw file name can carry.
      const fix = /part header/i.test(detail)
        ? ': a part header has characters HTTP does not allow (for example control characters in a file name). Rename the file, or send a FormData body and let the HTTP client encode it.'
        : '; send a FormData body and let the HTTP client encode it.';
      reject(new RequestError('MALFORMED_MULTIPART', `The multipart body could not be read (${detail})${fix}`));
    };
    const parser = busboy({
      headers: { 'content-type': contentType },
      // Browsers and FormData send file names as raw UTF-8.
      defParamCharset: 'utf8',
      limits: {
        files: limits.maxImages,
        fileSize: limits.maxImageBytes,
        fields: MAX_TEXT_FIELDS,
        fieldSize: MAX_TEXT_FIELD_BYTES,
        parts: limits.maxImages + MAX_TEXT_FIELDS,
        headerPairs: MAX_PART_HEADER_PAIRS,
      },
    });
    parser.on('file', (name, stream, info) => {
      if (!IMAGE_FIELD_NAMES.includes(name)) {
        unexpectedFileField ??= name.slice(0, 100);
        stream.resume();
        return;
      }
      const file: UploadedFile = { fileName: info.filename ?? '', declaredContentType: info.mimeType, bytes: Buffer.alloc(0), tooLarge: false };
      files.push(file);
      const chunks: Buffer[] = [];
      stream.on('error', malformed);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        file.tooLarge = true;
        chunks.length = 0;
      });
      stream.on('end', () => {
        if (!file.tooLarge) file.bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      });
    });
    parser.on('field', (name, value, info) => {
      if (name === COLLECTION_FIELD_NAME) {
        collections.push(value);
        collectionTruncated ||= info.valueTruncated;
      } else if (IMAGE_FIELD_NAMES.includes(name)) {
        textImages ??= value;
      }
    });
    parser.on('filesLimit', () => {
      limitReached ??= new RequestError(
        'TOO_MANY_IMAGES',
        `The request has more than ${limits.maxImages} images; send at most ${limits.maxImages} per request and the rest in further requests.`,
      );
    });
    const tooManyParts = () => {
      limitReached ??= new RequestError('TOO_MANY_PARTS', `The form has too many fields; send only inputImages[] files and one collection field.`);
    };
    parser.on('fieldsLimit', tooManyParts);
    parser.on('partsLimit', tooManyParts);
    parser.on('error', malformed);
    parser.on('close', resolve);
    parser.end(body);
  });

  if (limitReached) throw limitReached;
  if (textImages !== undefined) throw imagesSentAsText(textImages);
  if (unexpectedFileField !== undefined) {
    throw new RequestError(
      'UNEXPECTED_FILE_FIELD',
      `A file was sent under "${unexpectedFileField}"; images go under "inputImages[]" (or "inputImages"), one file part each.`,
    );
  }
  const collection = validCollection(collections, collectionTruncated);
  if (files.length === 0) {
    throw new RequestError('NO_IMAGES', 'The form has no image; add each photo as a file part named "inputImages[]" (JPEG or PNG).');
  }
  return { collection, files };
}
