import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../local/faults/fault-injector.js';
import { faultPlanFromEnvironment, FaultPlanError, validateFaultPlan } from '../../../local/faults/fault-plan.js';

const call = (index: number) => Buffer.from(JSON.stringify({ CollectionId: 'c', ExternalImageId: `image-${index}.jpg` }));

/** Which of `calls` distinct calls get faulted on their first attempt, and after how many attempts each succeeds. */
function attemptsUntilSuccess(injector: FaultInjector, calls: number): number[] {
  return Array.from({ length: calls }, (_, index) => {
    let attempts = 1;
    while (injector.rekognitionCall('IndexFaces', call(index)).error) attempts += 1;
    return attempts;
  });
}

describe('a fault plan', () => {
  it('is read from FAULT_PLAN as JSON, and absent when the variable is unset or blank', () => {
    expect(faultPlanFromEnvironment({ FAULT_PLAN: '{"seed":7,"rekognition":{"throttle":0.3}}' })).toEqual({
      seed: 7,
      rekognition: { throttle: 0.3 },
    });
    expect(faultPlanFromEnvironment({})).toBeUndefined();
    expect(faultPlanFromEnvironment({ FAULT_PLAN: '  ' })).toBeUndefined();
  });

  it.each([
    ['{"rekognition":{"throttle":', /FAULT_PLAN is not valid JSON .*for example FAULT_PLAN='\{/],
    ['[1]', /FAULT_PLAN must be a JSON object/],
    ['{"rekognition":{"throttle":1.5}}', /FAULT_PLAN\.rekognition\.throttle must be a fraction from 0 to 1 .*got 1\.5/],
    ['{"rekognition":{"throtle":0.3}}', /FAULT_PLAN\.rekognition has unknown field "throtle"; allowed: operations, throttle/],
    ['{"rekognition":{"throttle":0.6,"fail":0.6}}', /throttle \+ FAULT_PLAN\.rekognition\.fail must be at most 1/],
    ['{"rekognition":{"latencyMs":-5}}', /latencyMs must be an integer from 0 to 600000, got -5/],
    ['{"rekognition":{"responseTimeMs":1.5}}', /responseTimeMs must be an integer from 0 to 600000, got 1\.5/],
    ['{"rekognition":{"unreachable":"yes"}}', /unreachable must be true or false, got "yes"/],
    ['{"rekognition":{"operations":"IndexFaces"}}', /operations must be a non-empty list of Rekognition operation names/],
    ['{"s3":{"failWrites":{}}}', /failWrites must name the writes to fail: keyPattern, fileName and\/or fraction/],
    ['{"s3":{"failWrites":{"keyPattern":"("}}}', /keyPattern is not a valid regular expression/],
    ['{"seed":1.5}', /FAULT_PLAN\.seed must be an integer/],
  ])('refuses %s with an error naming the field and what it accepts', (raw, message) => {
    expect(() => faultPlanFromEnvironment({ FAULT_PLAN: raw })).toThrow(FaultPlanError);
    expect(() => faultPlanFromEnvironment({ FAULT_PLAN: raw })).toThrow(message);
  });

  it('is checked when given as an object too', () => {
    expect(() => validateFaultPlan({ rekognition: { fail: 2 } })).toThrow(/the fault plan\.rekognition\.fail must be a fraction/);
    expect(() => new FaultInjector({ s3: { failWrites: { fraction: -1 } } })).toThrow(FaultPlanError);
  });
});

describe('the fault injector', () => {
  it('throttles the planned fraction of calls, never the same call twice in a row below one half', () => {
    const attempts = attemptsUntilSuccess(new FaultInjector({ seed: 1, rekognition: { throttle: 0.3 } }), 1000);
    const throttledOnce = attempts.filter((count) => count === 2).length;
    expect(Math.max(...attempts)).toBe(2);
    expect(throttledOnce).toBeGreaterThan(250);
    expect(throttledOnce).toBeLessThan(350);
  });

  it("lets every call through within the SDK's 5 attempts up to a fraction of 0.8", () => {
    expect(Math.max(...attemptsUntilSuccess(new FaultInjector({ seed: 2, rekognition: { throttle: 0.8 } }), 500))).toBe(5);
    expect(Math.max(...attemptsUntilSuccess(new FaultInjector({ seed: 2, rekognition: { throttle: 0.5 } }), 500))).toBe(2);
  });

  it('picks the same calls on every run with the same seed, and others with another seed', () => {
    const run = (seed: number) => attemptsUntilSuccess(new FaultInjector({ seed, rekognition: { throttle: 0.3 } }), 200);
    expect(run(1)).toEqual(run(1));
    expect(run(2)).not.toEqual(run(1));
  });

  it('picks the same calls whatever order concurrent calls arrive in', () => {
    const forward = new FaultInjector({ seed: 3, rekognition: { throttle: 0.3 } });
    const backward = new FaultInjector({ seed: 3, rekognition: { throttle: 0.3 } });
    const inOrder = Array.from({ length: 100 }, (_, index) => forward.rekognitionCall('IndexFaces', call(index)).error);
    const reversed = Array.from({ length: 100 }, (_, index) => backward.rekognitionCall('IndexFaces', call(99 - index)).error).reverse();
    expect(reversed).toEqual(inOrder);
  });

  it('fails every attempt at a fraction of 1 and counts what it injected', () => {
    const injector = new FaultInjector({ rekognition: { fail: 1, latencyMs: 10 } });
    expect(injector.rekognitionCall('IndexFaces', call(0))).toEqual({ latencyMs: 10, error: 'InternalServerError' });
    expect(injector.rekognitionCall('IndexFaces', call(0))).toEqual({ latencyMs: 10, error: 'InternalServerError' });
    expect(injector.injected).toMatchObject({ failed: 2, delayed: 2, throttled: 0 });
  });

  it('gives each faulted call the response time of the plan, and counts it as delayed', () => {
    const injector = new FaultInjector({ rekognition: { responseTimeMs: 500 } });
    expect(injector.rekognitionCall('IndexFaces', call(0))).toEqual({ latencyMs: 0, responseTimeMs: 500 });
    expect(injector.injected).toMatchObject({ delayed: 1, failed: 0, throttled: 0 });
  });

  it('leaves operations outside the plan alone (IndexFaces only by default)', () => {
    const injector = new FaultInjector({ rekognition: { throttle: 1 } });
    expect(injector.rekognitionCall('CreateCollection', call(0))).toEqual({ latencyMs: 0 });
    const listed = new FaultInjector({ rekognition: { throttle: 1, operations: ['CreateCollection'] } });
    expect(listed.rekognitionCall('CreateCollection', call(0)).error).toBe('ThrottlingException');
    expect(listed.rekognitionCall('IndexFaces', call(0)).error).toBeUndefined();
  });

  it('fails S3 writes by file name, by key pattern, or for a seeded fraction of objects', () => {
    const byName = new FaultInjector({ s3: { failWrites: { fileName: 'bad.jpg' } } });
    expect(byName.s3WriteFails('tenants/t/collections/c/aa.jpg', 'bad.jpg')).toBe(true);
    expect(byName.s3WriteFails('tenants/t/collections/c/bb.jpg', 'good.jpg')).toBe(false);
    const byKey = new FaultInjector({ s3: { failWrites: { keyPattern: '/c/aa' } } });
    expect(byKey.s3WriteFails('tenants/t/collections/c/aa.jpg', undefined)).toBe(true);
    expect(byKey.s3WriteFails('tenants/t/collections/c/bb.jpg', undefined)).toBe(false);
    const byFraction = new FaultInjector({ seed: 5, s3: { failWrites: { fraction: 0.5 } } });
    const keys = Array.from({ length: 400 }, (_, index) => `key-${index}`);
    const failed = keys.filter((key) => byFraction.s3WriteFails(key, undefined));
    expect(failed.length).toBeGreaterThan(150);
    expect(failed.length).toBeLessThan(250);
    expect(keys.filter((key) => byFraction.s3WriteFails(key, undefined))).toEqual(failed);
    expect(byFraction.injected.s3WritesFailed).toBe(failed.length * 2);
  });

  it('makes Rekognition unreachable until the plan is replaced', () => {
    const injector = new FaultInjector({ rekognition: { unreachable: true } });
    expect(injector.refuseRekognitionConnection()).toBe(true);
    injector.plan = {};
    expect(injector.refuseRekognitionConnection()).toBe(false);
    expect(injector.injected.refused).toBe(0);
  });
});
