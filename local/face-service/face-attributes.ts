// Which FaceDetail fields an answer carries, from DetectionAttributes (IndexFaces) or Attributes (DetectFaces):
// DEFAULT gives BoundingBox, Confidence, Pose, Quality and Landmarks; ALL everything the engine measured; single
// attributes come on top of the default ones, as Rekognition does.
import type { EngineFaceDetail } from './engine/types.js';

const SINGLE_ATTRIBUTES = {
  AGE_RANGE: 'AgeRange',
  BEARD: 'Beard',
  EMOTIONS: 'Emotions',
  EYE_DIRECTION: 'EyeDirection',
  EYEGLASSES: 'Eyeglasses',
  EYES_OPEN: 'EyesOpen',
  FACE_OCCLUDED: 'FaceOccluded',
  GENDER: 'Gender',
  MOUTH_OPEN: 'MouthOpen',
  MUSTACHE: 'Mustache',
  SMILE: 'Smile',
  SUNGLASSES: 'Sunglasses',
} as const;

export const ATTRIBUTES = ['DEFAULT', 'ALL', ...(Object.keys(SINGLE_ATTRIBUTES) as Array<keyof typeof SINGLE_ATTRIBUTES>)] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

const DEFAULT_FIELDS = ['BoundingBox', 'Confidence', 'Pose', 'Quality', 'Landmarks'];

export function projectFaceDetail(detail: EngineFaceDetail, attributes: readonly Attribute[] = ['DEFAULT']): Record<string, unknown> {
  if (attributes.includes('ALL')) return { ...detail };
  const fields = new Set(DEFAULT_FIELDS);
  for (const attribute of attributes) {
    if (attribute !== 'DEFAULT' && attribute !== 'ALL') fields.add(SINGLE_ATTRIBUTES[attribute]);
  }
  const source = detail as unknown as Record<string, unknown>;
  return Object.fromEntries([...fields].filter((field) => source[field] !== undefined).map((field) => [field, source[field]]));
}
