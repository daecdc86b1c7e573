// Names derived from client input: Rekognition's ExternalImageId and CollectionId, and S3 keys. Each is
// deterministic, fits the service's pattern and length, and keeps different inputs apart.
import { createHash } from 'node:crypto';

export const EXTERNAL_IMAGE_ID_PATTERN = /^[a-zA-Z0-9_.\-:]{1,255}$/;
export const COLLECTION_ID_PATTERN = /^[a-zA-Z0-9_.\-]{1,255}$/;
/** What a client may send as `collection`: the Rekognition characters, starting with a letter or digit. */
export const CLIENT_COLLECTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
export const CLIENT_COLLECTION_MAX_LENGTH = 100;

const MAX_ID_LENGTH = 255;
// 64 bits of SHA-256: two different names reach the same id only by a deliberate or astronomically unlikely
// collision (an unchanged name can always equal some other name's rewritten form, so no scheme that keeps
// valid names unchanged can be collision-free by construction).
const NAME_HASH_LENGTH = 16;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Latin letters keep their base letter (`été` → `ete`) so rewritten names stay readable. */
function withoutDiacritics(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}+/gu, '');
}

function safeCharacters(text: string): string {
  return text.replace(/[^a-zA-Z0-9_.\-:]+/g, '_');
}

/**
 * The upload's file name made safe for Rekognition's ExternalImageId (`[a-zA-Z0-9_.\-:]+`, 1..255 characters).
 * A name that already fits is kept unchanged; otherwise unsafe runs become `_`, the result is truncated if
 * needed, and a short hash of the original name goes before the extension (`IMG 1.jpg` → `IMG_1_<hash>.jpg`).
 * A part sent without a file name is named after a hash of its content.
 */
export function externalImageIdFor(fileName: string, contentSha256: string): string {
  if (fileName === '') return `unnamed_${contentSha256.slice(0, NAME_HASH_LENGTH)}`;
  if (EXTERNAL_IMAGE_ID_PATTERN.test(fileName)) return fileName;
  const ascii = withoutDiacritics(fileName);
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(ascii)?.[0] ?? '';
  const stem = safeCharacters(ascii.slice(0, ascii.length - extension.length));
  const suffix = `_${sha256Hex(fileName).slice(0, NAME_HASH_LENGTH)}${extension}`;
  return stem.slice(0, MAX_ID_LENGTH - suffix.length) + suffix;
}

/** Every character outside [A-Za-z0-9] as `_` + its UTF-8 bytes in hex: injective, and never yields `-`. */
function escapeTenantId(tenantId: string): string {
  return Array.from(tenantId, (character) =>
    /^[A-Za-z0-9]$/.test(character)
      ? character
      : Array.from(Buffer.from(character, 'utf8'), (byte) => `_${byte.toString(16).padStart(2, '0')}`).join(''),
  ).join('');
}

/**
 * The Rekognition collection of (tenant, client collection): `${prefix}-${escaped tenant}-${collection}`.
 * The escaped tenant id never contains `-`, so the first `-` after the prefix ends it: no two pairs share an id.
 */
export function collectionIdFor(prefix: string, tenantId: string, collection: string): string {
  const id = `${prefix}-${escapeTenantId(tenantId)}-${collection}`;
  if (!COLLECTION_ID_PATTERN.test(id)) {
    throw new Error(`Collection id for tenant "${tenantId}" exceeds Rekognition's limits (${id.length} characters)`);
  }
  return id;
}

/**
 * Where the original is kept: scoped by tenant and collection, addressed by the SHA-256 of its bytes, so a
 * re-upload of the same photo overwrites its own copy and nothing else.
 */
export function imageKeyFor(tenantId: string, collection: string, contentSha256: string, extension: string): string {
  return `tenants/${encodeURIComponent(tenantId)}/collections/${collection}/${contentSha256}.${extension}`;
}

// S3 keeps at most 2 KB of user metadata per object; this leaves room for the other entries.
const MAX_METADATA_VALUE_LENGTH = 1024;

/** A metadata value S3 accepts (ASCII only): percent-encoded UTF-8, cut after a whole character if too long. */
export function metadataValue(text: string): string {
  let encoded = '';
  for (const character of text) {
    const next = encodeURIComponent(character);
    if (encoded.length + next.length > MAX_METADATA_VALUE_LENGTH) break;
    encoded += next;
  }
  return encoded;
}
