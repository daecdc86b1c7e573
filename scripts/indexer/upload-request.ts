// One upload request, as the API document shows it: multipart/form-data with one `inputImages[]` part per photo
// and the `collection` field, the token in Authorization. The answer is sorted into what the indexer acts on.
import { readFile } from 'node:fs/promises';
import { parseRetryAfter } from './retry-policy.js';

export const UPLOAD_PATH = '/ia/faces/bulkUpload';
/** Longer than API Gateway's 29 s integration timeout: the API always answers first unless the network fails. */
const REQUEST_TIMEOUT_MS = 60_000;

export interface PhotoToSend {
  path: string;
  /** The file name sent in the part: the API derives the ExternalImageId from it. */
  name: string;
  bytes: number;
  sha256: string;
  contentType: string;
}

/** One `data[i]` of the API's answer: an IndexFaces result, or an error. */
export interface ImageAnswer {
  FaceRecords?: Array<{ Face?: { FaceId?: string; ExternalImageId?: string } }>;
  UnindexedFaces?: unknown[];
  ExternalImageId?: string;
  Error?: { Code: string; Message: string };
}

export type BatchAnswer =
  /** The API answered image by image (201, or 422/503/500 when none was indexed). */
  | { kind: 'answered'; status: number; message: string; data: ImageAnswer[]; retryAfterMs?: number }
  /** The request as a whole was refused (401, 403, 413, 429, ...). */
  | { kind: 'refused'; status: number; code: string; message: string; retryAfterMs?: number }
  /** No HTTP answer: connection refused or reset, DNS, timeout. */
  | { kind: 'unreachable'; message: string };

export type SendBatch = (photos: readonly PhotoToSend[]) => Promise<BatchAnswer>;

export function createBatchSender(options: { url: string; token: string; collection: string; now?: () => number }): SendBatch {
  const endpoint = `${options.url.replace(/\/+$/, '')}${UPLOAD_PATH}`;
  const now = options.now ?? Date.now;
  return async (photos) => {
    const form = new FormData();
    for (const photo of photos) form.append('inputImages[]', new Blob([await readFile(photo.path)], { type: photo.contentType }), photo.name);
    form.append('collection', options.collection);
    let response: Response;
    let body: { message?: unknown; data?: unknown; error?: { code?: unknown } } | undefined;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { Authorization: options.token, Accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      body = (await response.json().catch(() => undefined)) as typeof body;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { kind: 'unreachable', message: `${endpoint} could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message})` };
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
    const message = typeof body?.message === 'string' ? body.message : `HTTP ${response.status} without an explanation`;
    if (Array.isArray(body?.data) && body.data.length === photos.length) {
      return { kind: 'answered', status: response.status, message, data: body.data as ImageAnswer[], retryAfterMs };
    }
    const code = typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${response.status}`;
    return { kind: 'refused', status: response.status, code, message, retryAfterMs };
  };
}
