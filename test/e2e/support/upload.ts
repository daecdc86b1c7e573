// One bulk upload as a client sends it (fetch + FormData), bounded by a client-side timeout so a hung server
// fails the test instead of stalling it. Answers are read untyped: tests check them field by field.
import type { LocalStack } from '../../../local/stack.js';

export interface Photo {
  name: string;
  bytes: Uint8Array;
}

export interface UploadAnswer {
  status: number;
  headers: Headers;
  body: any;
}

export async function uploadPhotos(
  stack: LocalStack,
  collection: string,
  photos: readonly Photo[],
  options: { token?: string; timeoutMs?: number } = {},
): Promise<UploadAnswer> {
  const form = new FormData();
  for (const photo of photos) form.append('inputImages[]', new Blob([photo.bytes], { type: 'image/jpeg' }), photo.name);
  form.append('collection', collection);
  const response = await fetch(`${stack.url}/ia/faces/bulkUpload`, {
    method: 'POST',
    headers: { Authorization: options.token ?? stack.token },
    body: form,
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** The ExternalImageIds of the faces a successful data entry lists. */
export function indexedNames(entry: { FaceRecords?: Array<{ Face: { ExternalImageId: string } }> }): string[] {
  return (entry.FaceRecords ?? []).map((record) => record.Face.ExternalImageId);
}
