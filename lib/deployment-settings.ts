import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { COLLECTION_PREFIX_PATTERN, DEFAULTS, QUALITY_FILTERS } from '../lambda/config.js';
import type { QualityFilter } from '../lambda/ports.js';

/** Everything a deployment can tune, validated. Only bin/ reads the raw values (CDK context or environment). */
export interface DeploymentSettings {
  /** Short lower-case name of the deployment (`prod`, `dev`): names the stack, the API stage and the defaults. */
  stage: string;
  stackName: string;
  /** Every Rekognition collection of this deployment is `${collectionPrefix}-...`; IAM is scoped to that. */
  collectionPrefix: string;
  throttling: { rateLimit: number; burstLimit: number };
  limits: {
    maxImagesPerRequest: number;
    maxImageBytes: number;
    maxFaces: number;
    qualityFilter: QualityFilter;
    indexConcurrency: number;
  };
  uploadMemoryMb: number;
  /** Unset: the upload handler shares the account's unreserved concurrency. */
  reservedConcurrency?: number;
  logRetention: RetentionDays;
  /**
   * API Gateway writes access and execution logs through one role per account and region. True creates it (and
   * keeps it when the stack is deleted, since other APIs of the account may rely on it); false when the account
   * already has one.
   */
  apiGatewayCloudWatchRole: boolean;
}

/** One raw value looked up by its context key; bin/ decides where values come from. */
export type SettingLookup = (contextKey: string) => unknown;

export class DeploymentSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid deployment settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'DeploymentSettingsError';
  }
}

/** The environment variable that stands in for a context key: `maxFaces` → `FACEGATE_MAX_FACES`. */
export function environmentVariableFor(contextKey: string): string {
  return `FACEGATE_${contextKey.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

// Stage names carry no hyphen so that one deployment's default collection prefix (`facegate-<stage>`) is never
// a hyphenated extension of another's, which would let `collection/facegate-<stage>-*` reach the other's faces.
const STAGE_PATTERN = /^[a-z][a-z0-9]{0,19}$/;

const RETENTION_DAYS = new Set<number>(
  Object.values(RetentionDays).filter((days): days is number => typeof days === 'number'),
);

export function parseDeploymentSettings(lookup: SettingLookup): DeploymentSettings {
  const problems: string[] = [];
  const reader = new SettingReader(lookup, problems);

  const stage = reader.text('stage', 'prod', STAGE_PATTERN, 'lower-case letters and digits, starting with a letter, at most 20 characters (no hyphen)');
  const collectionPrefix = reader.text(
    'collectionPrefix',
    `facegate-${stage}`,
    COLLECTION_PREFIX_PATTERN,
    '1 to 40 letters, digits, "_", "." or "-", starting with a letter or digit',
  );
  const rateLimit = reader.number('throttlingRateLimit', 10, { min: 1, max: 10_000 });
  const burstLimit = reader.integer('throttlingBurstLimit', 20, { min: 1, max: 5_000 });
  // The same bounds the upload handler enforces on its environment (lambda/config.ts), checked before deploying.
  const maxImagesPerRequest = reader.integer('maxImagesPerRequest', DEFAULTS.maxImagesPerRequest, { min: 1, max: 1000 });
  const maxImageBytes = reader.integer('maxImageBytes', DEFAULTS.maxImageBytes, { min: 1024, max: DEFAULTS.maxImageBytes });
  const maxFaces = reader.integer('maxFaces', DEFAULTS.maxFaces, { min: 1, max: 100 });
  const qualityFilter = reader.choice('qualityFilter', DEFAULTS.qualityFilter, QUALITY_FILTERS);
  const indexConcurrency = reader.integer('indexConcurrency', DEFAULTS.indexConcurrency, { min: 1, max: 100 });
  const uploadMemoryMb = reader.integer('uploadMemoryMb', 1024, { min: 256, max: 10_240 });
  const reservedConcurrency = reader.optionalInteger('reservedConcurrency', { min: 1, max: 10_000 });
  const logRetentionDays = reader.integer('logRetentionDays', RetentionDays.ONE_MONTH, { min: 1, max: 3653 });
  const apiGatewayCloudWatchRole = reader.boolean('apiGatewayCloudWatchRole', true);

  if (!RETENTION_DAYS.has(logRetentionDays)) {
    problems.push(
      `${describeKey('logRetentionDays')} must be one of CloudWatch's retention periods ` +
        `(${[...RETENTION_DAYS].sort((a, b) => a - b).join(', ')}), got ${logRetentionDays}`,
    );
  }
  if (rateLimit > burstLimit) {
    problems.push(
      `"throttlingRateLimit" (${rateLimit}) must not exceed "throttlingBurstLimit" (${burstLimit}): ` +
        'API Gateway could never sustain the rate with a smaller bucket',
    );
  }
  if (problems.length > 0) throw new DeploymentSettingsError(problems);

  return {
    stage,
    stackName: `Facegate-${stage}`,
    collectionPrefix,
    throttling: { rateLimit, burstLimit },
    limits: { maxImagesPerRequest, maxImageBytes, maxFaces, qualityFilter, indexConcurrency },
    uploadMemoryMb,
    reservedConcurrency,
    logRetention: logRetentionDays as RetentionDays,
    apiGatewayCloudWatchRole,
  };
}

function describeKey(contextKey: string): string {
  return `"${contextKey}" (context key, or ${environmentVariableFor(contextKey)})`;
}

interface Range {
  min: number;
  max: number;
}

/** Reads values that arrive as JSON from cdk.json or as strings from `-c key=value` and the environment. */
class SettingReader {
  constructor(
    private readonly lookup: SettingLookup,
    private readonly problems: string[],
  ) {}

  text(key: string, fallback: string, pattern: RegExp, expected: string): string {
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    if (typeof raw === 'string' && pattern.test(raw)) return raw;
    return this.reject(key, expected, raw, fallback);
  }

  choice<T extends string>(key: string, fallback: T, choices: readonly T[]): T {
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    const match = choices.find((choice) => typeof raw === 'string' && choice === raw.toUpperCase());
    return match ?? this.reject(key, `one of ${choices.join(', ')}`, raw, fallback);
  }

  boolean(key: string, fallback: boolean): boolean {
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    return this.reject(key, 'true or false', raw, fallback);
  }

  number(key: string, fallback: number, range: Range): number {
    return this.numeric(key, range, false) ?? fallback;
  }

  integer(key: string, fallback: number, range: Range): number {
    return this.numeric(key, range, true) ?? fallback;
  }

  optionalInteger(key: string, range: Range): number | undefined {
    return this.numeric(key, range, true);
  }

  private numeric(key: string, range: Range, integer: boolean): number | undefined {
    const raw = this.raw(key);
    if (raw === undefined) return undefined;
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    const valid = Number.isFinite(value) && (!integer || Number.isInteger(value)) && value >= range.min && value <= range.max;
    if (valid) return value;
    return this.reject(key, `${integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}`, raw, undefined);
  }

  /** Context wins over the environment; an empty string counts as unset so `FACEGATE_X=` does not break a deploy. */
  private raw(key: string): unknown {
    const value = this.lookup(key);
    return value === '' || value === null ? undefined : value;
  }

  private reject<T>(key: string, expected: string, raw: unknown, fallback: T): T {
    this.problems.push(`${describeKey(key)} must be ${expected}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
}
