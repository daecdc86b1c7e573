import { describe, expect, it } from 'vitest';
import {
  DeploymentSettingsError,
  environmentVariableFor,
  parseDeploymentSettings,
} from '../../lib/deployment-settings.js';

const parse = (values: Record<string, unknown>) => parseDeploymentSettings((key) => values[key]);

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    parse(values);
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentSettingsError);
    return (error as DeploymentSettingsError).problems;
  }
  throw new Error('the settings were accepted');
}

describe('deployment settings', () => {
  it('defaults to the prod stage with the runtime defaults of the upload handler', () => {
    expect(parse({})).toEqual({
      stage: 'prod',
      stackName: 'Facegate-prod',
      collectionPrefix: 'facegate-prod',
      throttling: { rateLimit: 10, burstLimit: 20 },
      limits: { maxImagesPerRequest: 50, maxImageBytes: 15 * 1024 * 1024, maxFaces: 100, qualityFilter: 'AUTO', indexConcurrency: 5 },
      uploadMemoryMb: 1024,
      reservedConcurrency: undefined,
      logRetention: 30,
      apiGatewayCloudWatchRole: true,
    });
  });

  it('derives the stack name and collection prefix from the stage', () => {
    expect(parse({ stage: 'dev' })).toMatchObject({ stackName: 'Facegate-dev', collectionPrefix: 'facegate-dev' });
  });

  it('accepts an explicit collection prefix', () => {
    expect(parse({ stage: 'dev', collectionPrefix: 'acme_faces.v2' }).collectionPrefix).toBe('acme_faces.v2');
  });

  it('reads numbers and booleans given as strings, as `cdk -c key=value` and the environment give them', () => {
    const settings = parse({ maxFaces: '7', throttlingRateLimit: '2.5', throttlingBurstLimit: '5', apiGatewayCloudWatchRole: 'false', reservedConcurrency: '3' });
    expect(settings).toMatchObject({
      limits: { maxFaces: 7 },
      throttling: { rateLimit: 2.5, burstLimit: 5 },
      apiGatewayCloudWatchRole: false,
      reservedConcurrency: 3,
    });
  });

  it('reads the quality filter in any case', () => {
    expect(parse({ qualityFilter: 'medium' }).limits.qualityFilter).toBe('MEDIUM');
  });

  it('treats empty values as unset', () => {
    expect(parse({ stage: '', maxFaces: '' })).toMatchObject({ stage: 'prod', limits: { maxFaces: 100 } });
  });

  it('names the key, its environment variable, what it expects and what it got', () => {
    expect(problemsOf({ maxFaces: 101 })).toEqual([
      '"maxFaces" (context key, or FACEGATE_MAX_FACES) must be an integer from 1 to 100, got 101',
    ]);
  });

  it('reports every bad key at once', () => {
    const problems = problemsOf({ stage: 'Prod-EU', indexConcurrency: 'five', qualityFilter: 'BEST', apiGatewayCloudWatchRole: 'yes' });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^"stage" .*no hyphen.*got "Prod-EU"$/);
    expect(problems[1]).toMatch(/^"qualityFilter" .*NONE, AUTO, LOW, MEDIUM, HIGH.*got "BEST"$/);
    expect(problems[2]).toMatch(/^"indexConcurrency" .*integer.*got "five"$/);
    expect(problems[3]).toMatch(/^"apiGatewayCloudWatchRole" .*true or false.*got "yes"$/);
  });

  it('refuses a stage with a hyphen, which would let one deployment\'s IAM prefix cover another\'s collections', () => {
    expect(problemsOf({ stage: 'prod-eu' })[0]).toContain('"stage"');
  });

  it('refuses a collection prefix Rekognition or the upload handler would reject', () => {
    expect(problemsOf({ collectionPrefix: 'faces/prod' })[0]).toContain('"collectionPrefix"');
    expect(problemsOf({ collectionPrefix: '-faces' })[0]).toContain('"collectionPrefix"');
    expect(problemsOf({ collectionPrefix: 'f'.repeat(41) })[0]).toContain('"collectionPrefix"');
  });

  it('refuses fractional integers and out-of-range limits', () => {
    expect(problemsOf({ maxImagesPerRequest: 2.5 })[0]).toContain('"maxImagesPerRequest"');
    expect(problemsOf({ maxImageBytes: 16 * 1024 * 1024 })[0]).toContain('"maxImageBytes"');
    expect(problemsOf({ uploadMemoryMb: 128 })[0]).toContain('"uploadMemoryMb"');
    expect(problemsOf({ reservedConcurrency: 0 })[0]).toContain('"reservedConcurrency"');
  });

  it('refuses a log retention CloudWatch does not offer', () => {
    expect(problemsOf({ logRetentionDays: 10 })[0]).toMatch(/^"logRetentionDays" .*retention periods.*got 10$/);
  });

  it('refuses a throttling rate above the burst', () => {
    expect(problemsOf({ throttlingRateLimit: 50, throttlingBurstLimit: 10 })[0]).toMatch(/"throttlingRateLimit" \(50\) must not exceed "throttlingBurstLimit"/);
  });

  it('maps each context key to a FACEGATE_ environment variable', () => {
    expect(environmentVariableFor('stage')).toBe('FACEGATE_STAGE');
    expect(environmentVariableFor('maxImagesPerRequest')).toBe('FACEGATE_MAX_IMAGES_PER_REQUEST');
    expect(environmentVariableFor('apiGatewayCloudWatchRole')).toBe('FACEGATE_API_GATEWAY_CLOUD_WATCH_ROLE');
  });
});
