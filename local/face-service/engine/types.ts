// The contract between the face model (engine/) and the Rekognition-compatible service around it.
// Field names and value ranges follow Amazon Rekognition's FaceDetail, so the service can pass them through.

export interface Ratio {
  Width: number;
  Height: number;
  Left: number;
  Top: number;
}

export interface Landmark {
  Type: string;
  X: number;
  Y: number;
}

export interface ValueWithConfidence<T> {
  Value: T;
  Confidence: number;
}

/** FaceDetail as Rekognition fills it with DetectionAttributes ALL; attributes with no model behind them are absent. */
export interface EngineFaceDetail {
  BoundingBox: Ratio;
  Confidence: number;
  Landmarks: Landmark[];
  Pose: { Roll: number; Yaw: number; Pitch: number };
  Quality: { Brightness: number; Sharpness: number };
  AgeRange?: { Low: number; High: number };
  Gender?: ValueWithConfidence<'Male' | 'Female'>;
  Emotions?: Array<{ Type: string; Confidence: number }>;
  Smile?: ValueWithConfidence<boolean>;
  EyesOpen?: ValueWithConfidence<boolean>;
  MouthOpen?: ValueWithConfidence<boolean>;
  EyeDirection?: { Yaw: number; Pitch: number; Confidence: number };
}

export interface EngineFace {
  detail: EngineFaceDetail;
  /** Face box size in pixels of the upright image, for SMALL_BOUNDING_BOX and largest-first ordering. */
  pixelWidth: number;
  pixelHeight: number;
  /** Unit-length face embedding; compared with FaceEngine.similarity. */
  embedding: number[];
}

export interface EngineAnalysis {
  /** Size of the upright image (EXIF orientation applied). */
  width: number;
  height: number;
  /** Faces largest first. */
  faces: EngineFace[];
}

export type EngineImageErrorKind = 'InvalidImageFormat' | 'ImageTooSmall';

/** Thrown when the bytes are not a usable JPEG or PNG; the service maps the kind to Rekognition's exception. */
export class EngineImageError extends Error {
  constructor(
    readonly kind: EngineImageErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineImageError';
  }
}

export interface FaceEngine {
  /** Reported as FaceModelVersion; names this engine and its model. */
  readonly modelVersion: string;
  analyze(image: Uint8Array): Promise<EngineAnalysis>;
  /** Similarity 0–100 of two embeddings, calibrated so that 80 separates the same person from different people. */
  similarity(a: number[], b: number[]): number;
  close(): Promise<void>;
}
