// Upload requests as API Gateway delivers them: a multipart body encoded by the platform's own FormData
// (through Response), base64 in the event because multipart/form-data is a binary media type.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';

export const FIXTURES = new URL('../../fixtures/faces/', import.meta.url);

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export function imageFile(fixtureName: string, uploadedAs = fixtureName, type = 'image/jpeg'): File {
  return new File([fixture(fixtureName)], uploadedAs, { type });
}

export interface EncodedForm {
  contentType: string;
  bytes: Buffer;
}

export async function encodeForm(form: FormData): Promise<EncodedForm> {
  const response = new Response(form);
  return { contentType: response.headers.get('content-type')!, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** A form with one `collection` field and each file appended on its own, as the API expects. */
export function uploadForm(collection: string | undefined, files: File[], fieldName = 'inputImages[]'): FormData {
  const form = new FormData();
  for (const file of files) form.append(fieldName, file);
  if (collection !== undefined) form.append('collection', collection);
  return form;
}

export function proxyEvent(
  encoded: EncodedForm,
  options: { headers?: Record<string, string>; tenantId?: string; base64?: boolean } = {},
): APIGatewayProxyEvent {
  const base64 = options.base64 ?? true;
  return {
    httpMethod: 'POST',
    path: '/ia/faces/bulkUpload',
    resource: '/ia/faces/bulkUpload',
    headers: options.headers ?? { 'Content-Type': encoded.contentType, Authorization: 'secret-token-never-logged' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: encoded.bytes.toString(base64 ? 'base64' : 'utf8'),
    isBase64Encoded: base64,
    requestContext: { authorizer: options.tenantId === undefined ? null : { tenantId: options.tenantId, principalId: options.tenantId } } as APIGatewayProxyEvent['requestContext'],
  };
}

/** A raw multipart body written by hand, for the cases FormData never produces. */
export function rawMultipart(boundary: string, parts: Array<{ name: string; fileName?: string; type?: string; content: Buffer | string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.fileName === undefined ? '' : `; filename="${part.fileName}"`}`;
    const type = part.type ? `\r\nContent-Type: ${part.type}` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), Buffer.from(part.content), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * The fixture JPEG with a comment segment naming `copy` after its start-of-image marker: the same photo with
 * different bytes, so it counts as different content.
 */
export function distinctJpeg(fixtureName: string, copy: number | string): Buffer {
  const original = fixture(fixtureName);
  const text = Buffer.from(`copy ${copy}`);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(text.length + 2);
  return Buffer.concat([original.subarray(0, 2), Buffer.from([0xff, 0xfe]), length, text, original.subarray(2)]);
}
