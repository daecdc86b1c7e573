// NextToken for ListFaces and ListCollections: opaque to clients (base64url JSON), short enough for Rekognition's
// 255-character limit, and checked: a token from another listing or another collection, or a mangled one, is
// refused with InvalidPaginationTokenException instead of silently restarting the listing.
import { createHash } from 'node:crypto';
import { RekognitionError } from './errors.js';

interface TokenPayload {
  /** Which listing (and collection) issued the token. */
  s: string;
  /** Index of the first item of the next page. */
  o: number;
  /** Fingerprint of the last item returned, to resume at the right place when items were added or removed. */
  a: string;
}

const fingerprint = (text: string): string => createHash('sha256').update(text).digest('base64url').slice(0, 16);

const invalidToken = (): RekognitionError =>
  new RekognitionError('InvalidPaginationTokenException', 'Invalid NextToken: pass the NextToken of the previous response of the same listing unchanged.');

function decode(token: string, scope: string): TokenPayload {
  let payload: Partial<TokenPayload>;
  try {
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  const valid =
    typeof payload === 'object' && payload !== null &&
    payload.s === fingerprint(scope) && typeof payload.a === 'string' &&
    Number.isInteger(payload.o) && (payload.o as number) > 0;
  if (!valid) throw invalidToken();
  return payload as TokenPayload;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `items` (sorted by `keyOf`, keys unique). `scope` names the listing, e.g. "faces/<collection id>".
 */
export function paginate<T>(items: T[], keyOf: (item: T) => string, scope: string, pageSize: number, token?: string): Page<T> {
  let start = 0;
  if (token !== undefined && token !== '') {
    const payload = decode(token, scope);
    const boundary = items.findIndex((item) => fingerprint(keyOf(item)) === payload.a);
    start = boundary >= 0 ? boundary + 1 : Math.min(payload.o, items.length);
  }
  const end = Math.min(start + pageSize, items.length);
  const page = items.slice(start, end);
  const last = page[page.length - 1];
  if (end >= items.length || last === undefined) return { items: page };
  const payload: TokenPayload = { s: fingerprint(scope), o: end, a: fingerprint(keyOf(last)) };
  return { items: page, nextToken: Buffer.from(JSON.stringify(payload)).toString('base64url') };
}
