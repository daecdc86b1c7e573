// A fault plan: which failures the local stand-ins inject, so tests and demos can show what the API does when
// Rekognition throttles, fails, slows down or cannot be reached, and when S3 refuses to store an original.
// Given to `startFaceService` / `startLocalStack` as an object, or as JSON in FAULT_PLAN to `npm start` and
// `npm run face-service`; every field is checked, and an error names the field and what it accepts.

export interface RekognitionFaults {
  /** The operations faulted (default: IndexFaces only). */
  operations?: string[];
  /** Fraction of calls (0 to 1) answered ThrottlingException, HTTP 500, as Rekognition sends it. */
  throttle?: number;
  /** Fraction of calls (0 to 1) answered InternalServerError, HTTP 500. */
  fail?: number;
  /** Added before every answer to a faulted operation. */
  latencyMs?: number;
  /**
   * Every answer to a faulted operation leaves this long after its request arrived, the work included (work that
   * takes longer answers when done): a Rekognition of fixed latency, whatever the local machine's speed.
   */
  responseTimeMs?: number;
  /** Every connection is closed on arrival: clients see a reset connection, as when the service is down. */
  unreachable?: boolean;
}

/** Which object writes (PUT) S3 answers with InternalError (HTTP 500), on every attempt. */
export interface S3WriteFaults {
  /** A regular expression the object key must match. */
  keyPattern?: string;
  /** The uploaded file name, as the API stores it in the object's `original-filename` metadata. */
  fileName?: string;
  /** Fraction of distinct objects (0 to 1), chosen by the seed. */
  fraction?: number;
}

export interface FaultPlan {
  /** Changes which calls and objects a fraction picks; the same seed picks the same ones every run. */
  seed?: number;
  rekognition?: RekognitionFaults;
  s3?: { failWrites?: S3WriteFaults };
}

export class FaultPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultPlanError';
  }
}

const EXAMPLE = '{"seed":1,"rekognition":{"throttle":0.3,"fail":0.1,"latencyMs":200,"unreachable":false},"s3":{"failWrites":{"fileName":"a.jpg"}}}';

type Json = Record<string, unknown>;

function object(value: unknown, path: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FaultPlanError(`${path} must be a JSON object, for example ${EXAMPLE}`);
  }
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new FaultPlanError(`${path} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}; allowed: ${allowed.join(', ')}`);
  }
  return value as Json;
}

function fraction(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new FaultPlanError(`${path} must be a fraction from 0 to 1 (0.3 = 30% of calls), got ${JSON.stringify(value)}`);
  }
  return value;
}

function nonNegativeInteger(value: unknown, path: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new FaultPlanError(`${path} must be an integer from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function boolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new FaultPlanError(`${path} must be true or false, got ${JSON.stringify(value)}`);
}

function text(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new FaultPlanError(`${path} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function pattern(value: unknown, path: string): string | undefined {
  const source = text(value, path);
  if (source === undefined) return undefined;
  try {
    new RegExp(source);
  } catch (error) {
    throw new FaultPlanError(`${path} is not a valid regular expression (${(error as Error).message})`);
  }
  return source;
}

function operations(value: unknown, path: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((name) => typeof name === 'string' && /^[A-Z][A-Za-z]+$/.test(name))) {
    throw new FaultPlanError(`${path} must be a non-empty list of Rekognition operation names, for example ["IndexFaces"], got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

function rekognitionFaults(value: unknown, path: string): RekognitionFaults | undefined {
  if (value === undefined) return undefined;
  const fields = object(value, path, ['operations', 'throttle', 'fail', 'latencyMs', 'responseTimeMs', 'unreachable']);
  const faults: RekognitionFaults = {
    operations: operations(fields.operations, `${path}.operations`),
    throttle: fraction(fields.throttle, `${path}.throttle`),
    fail: fraction(fields.fail, `${path}.fail`),
    latencyMs: nonNegativeInteger(fields.latencyMs, `${path}.latencyMs`, 600_000),
    responseTimeMs: nonNegativeInteger(fields.responseTimeMs, `${path}.responseTimeMs`, 600_000),
    unreachable: boolean(fields.unreachable, `${path}.unreachable`),
  };
  if ((faults.throttle ?? 0) + (faults.fail ?? 0) > 1) {
    throw new FaultPlanError(`${path}.throttle + ${path}.fail must be at most 1 (they are fractions of the same calls)`);
  }
  return faults;
}

function s3Faults(value: unknown, path: string): FaultPlan['s3'] {
  if (value === undefined) return undefined;
  const fields = object(value, path, ['failWrites']);
  if (fields.failWrites === undefined) return {};
  const failWrites = object(fields.failWrites, `${path}.failWrites`, ['keyPattern', 'fileName', 'fraction']);
  const rule: S3WriteFaults = {
    keyPattern: pattern(failWrites.keyPattern, `${path}.failWrites.keyPattern`),
    fileName: text(failWrites.fileName, `${path}.failWrites.fileName`),
    fraction: fraction(failWrites.fraction, `${path}.failWrites.fraction`),
  };
  if (rule.keyPattern === undefined && rule.fileName === undefined && rule.fraction === undefined) {
    throw new FaultPlanError(`${path}.failWrites must name the writes to fail: keyPattern, fileName and/or fraction`);
  }
  return { failWrites: rule };
}

/** Checks a plan given as an object (from code or parsed JSON); `path` names it in errors. */
export function validateFaultPlan(value: unknown, path = 'the fault plan'): FaultPlan {
  const fields = object(value, path, ['seed', 'rekognition', 's3']);
  return {
    seed: nonNegativeInteger(fields.seed, `${path}.seed`, 2 ** 32 - 1),
    rekognition: rekognitionFaults(fields.rekognition, `${path}.rekognition`),
    s3: s3Faults(fields.s3, `${path}.s3`),
  };
}

/** The plan in an environment variable (FAULT_PLAN), or none when it is unset or blank. */
export function faultPlanFromEnvironment(env: Readonly<Record<string, string | undefined>>, variable = 'FAULT_PLAN'): FaultPlan | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new FaultPlanError(`${variable} is not valid JSON (${(error as Error).message}); for example ${variable}='${EXAMPLE}'`);
  }
  return validateFaultPlan(parsed, variable);
}
