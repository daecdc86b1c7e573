// Decides, deterministically, which calls and writes a fault plan hits. A "call" is identified by its operation
// and request body, so the SDK's retries of one call are attempts of the same call: with a fraction f, attempt n
// of a call is faulted when floor((n + 1)·f + φ) > floor(n·f + φ), φ being a phase in [0, 1) drawn from the seed
// and the call. Each call sees exactly the share f of its attempts faulted, spread out (a fraction below 0.5
// never faults two attempts in a row), whatever order concurrent calls arrive in: tests never flake.
import { createHash } from 'node:crypto';
import { type FaultPlan, validateFaultPlan } from './fault-plan.js';

export type InjectedRekognitionError = 'ThrottlingException' | 'InternalServerError';

export interface RekognitionFaultDecision {
  latencyMs: number;
  /** The answer leaves no sooner than this after the request arrived. */
  responseTimeMs?: number;
  error?: InjectedRekognitionError;
}

export interface InjectedFaultCounts {
  throttled: number;
  failed: number;
  delayed: number;
  /** Connections closed because the plan makes Rekognition unreachable. */
  refused: number;
  s3WritesFailed: number;
}

const DEFAULT_OPERATIONS = ['IndexFaces'];

function noFaults(): InjectedFaultCounts {
  return { throttled: 0, failed: 0, delayed: 0, refused: 0, s3WritesFailed: 0 };
}

/** A number in [0, 1) from the seed and the labels, the same on every run. */
function phase(seed: number, ...labels: Array<string | Uint8Array>): number {
  const hash = createHash('sha256').update(String(seed));
  for (const label of labels) hash.update('\0').update(label);
  return hash.digest().readUInt32BE(0) / 2 ** 32;
}

function hits(fraction: number | undefined, attempt: number, offset: number): boolean {
  if (!fraction) return false;
  return Math.floor((attempt + 1) * fraction + offset) > Math.floor(attempt * fraction + offset);
}

export class FaultInjector {
  private current: FaultPlan = {};
  private attempts = new Map<string, number>();
  private s3KeyPattern: RegExp | undefined;
  private counts = noFaults();

  constructor(plan: FaultPlan = {}) {
    this.plan = plan;
  }

  /** A plan object or an injector to share (the local stack gives one injector to the face service and S3). */
  static from(source: FaultPlan | FaultInjector | undefined): FaultInjector {
    return source instanceof FaultInjector ? source : new FaultInjector(source);
  }

  get plan(): FaultPlan {
    return this.current;
  }

  /** Replaces the plan from the next call on; attempt counts and the counts of injected faults start again. */
  set plan(plan: FaultPlan) {
    this.current = validateFaultPlan(plan);
    this.s3KeyPattern = this.current.s3?.failWrites?.keyPattern === undefined ? undefined : new RegExp(this.current.s3.failWrites.keyPattern);
    this.attempts = new Map();
    this.counts = noFaults();
  }

  /** How many faults were injected since the plan was set. */
  get injected(): Readonly<InjectedFaultCounts> {
    return { ...this.counts };
  }

  /** True when connections to Rekognition must be dropped; counts each one. */
  refuseRekognitionConnection(): boolean {
    if (!this.current.rekognition?.unreachable) return false;
    this.counts.refused += 1;
    return true;
  }

  /** The latency and the error (if any) this attempt of a Rekognition call gets. */
  rekognitionCall(operation: string, body: Uint8Array): RekognitionFaultDecision {
    const faults = this.current.rekognition;
    if (!faults || !(faults.operations ?? DEFAULT_OPERATIONS).includes(operation)) return { latencyMs: 0 };
    const seed = this.current.seed ?? 0;
    const call = createHash('sha256').update(operation).update('\0').update(body).digest('hex');
    const attempt = this.attempts.get(call) ?? 0;
    this.attempts.set(call, attempt + 1);
    const timing = { latencyMs: faults.latencyMs ?? 0, ...(faults.responseTimeMs ? { responseTimeMs: faults.responseTimeMs } : {}) };
    if (timing.latencyMs > 0 || timing.responseTimeMs) this.counts.delayed += 1;
    if (hits(faults.throttle, attempt, phase(seed, 'throttle', call))) {
      this.counts.throttled += 1;
      return { ...timing, error: 'ThrottlingException' };
    }
    // Checked only when the throttle did not hit: an attempt gets at most one error.
    if (hits(faults.fail, attempt, phase(seed, 'fail', call))) {
      this.counts.failed += 1;
      return { ...timing, error: 'InternalServerError' };
    }
    return timing;
  }

  /** True when the plan fails this object write (every attempt of it). */
  s3WriteFails(key: string, fileName: string | undefined): boolean {
    const rule = this.current.s3?.failWrites;
    if (!rule) return false;
    const chosen =
      (this.s3KeyPattern === undefined || this.s3KeyPattern.test(key)) &&
      (rule.fileName === undefined || rule.fileName === fileName) &&
      (rule.fraction === undefined || phase(this.current.seed ?? 0, 's3', key) < rule.fraction);
    if (chosen) this.counts.s3WritesFailed += 1;
    return chosen;
  }
}
