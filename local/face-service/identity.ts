// Identifiers as Rekognition gives them: FaceId a random UUID, ImageId the same for the same image bytes.
import { createHash, randomUUID } from 'node:crypto';

/** Namespace of facegate's image ids (RFC 4122 name-based UUIDs need one); fixed forever, or ImageIds change. */
const IMAGE_ID_NAMESPACE = Buffer.from('6f1c2b0e4a3d4e7b9c1a5d8e2f3b4c6a', 'hex');

/** A version-5 (SHA-1, name-based) UUID whose name is the image bytes. */
export function imageIdOf(bytes: Uint8Array): string {
  const hash = createHash('sha1').update(IMAGE_ID_NAMESPACE).update(bytes).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const newFaceId = (): string => randomUUID();
