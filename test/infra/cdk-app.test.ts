// The CDK app as the CLI runs it: offline, without AWS credentials, bundling skipped (the bundled synth needs
// only esbuild, and is run by `npx cdk synth`).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cdkJsonContext } from './synthesize-stack.js';

const run = promisify(execFile);
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(PROJECT_ROOT, 'node_modules', '.bin', name);

const outputDirectories: string[] = [];
afterEach(() => {
  for (const directory of outputDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function outputDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'facegate-cdk-'));
  outputDirectories.push(directory);
  return directory;
}

/** No credentials anywhere, no instance metadata, no telemetry, notices or version check: nothing to call. */
function offlineEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AWS_|CDK_|FACEGATE_)/.test(name)),
  );
  return {
    ...environment,
    AWS_CONFIG_FILE: join(PROJECT_ROOT, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(PROJECT_ROOT, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    ...extra,
  };
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function outcomeOf(command: string, args: string[], environment: NodeJS.ProcessEnv): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: PROJECT_ROOT, env: environment, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? '', stderr: failure.stderr ?? '' };
  }
}

/** bin/facegate.ts run the way the CLI runs an app: cdk.json's context and the output directory in the env. */
function runApp(outdir: string, context: Record<string, unknown> = {}, extra: Record<string, string> = {}) {
  const environment = offlineEnvironment({
    CDK_OUTDIR: outdir,
    CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context }),
    ...extra,
  });
  return outcomeOf(bin('tsx'), ['bin/facegate.ts'], environment);
}

describe('the CDK app', () => {
  it('is listed by `cdk ls` offline, without credentials', async () => {
    const outdir = outputDirectory();
    const outcome = await outcomeOf(bin('cdk'), ['ls', '--no-notices', '-o', outdir], offlineEnvironment());
    expect(outcome.stderr).not.toMatch(/error/i);
    expect(outcome).toMatchObject({ code: 0, stdout: 'Facegate-prod\n' });
  });

  it('synthesizes a region- and account-agnostic template with the cdk-nag checks passing', async () => {
    const outdir = outputDirectory();
    const outcome = await runApp(outdir);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);

    const templateText = readFileSync(join(outdir, 'Facegate-prod.template.json'), 'utf8');
    expect(templateText).toContain('"AWS::Region"');
    expect(templateText).not.toMatch(/\b(us|eu|ap|sa|ca|me|af|il)-(east|west|north|south|central|northeast|southeast)-\d\b/);
    expect(templateText).not.toMatch(/\b\d{12}\b/);
    const report = join(outdir, 'validation-report.json');
    if (existsSync(report)) expect(JSON.stringify(JSON.parse(readFileSync(report, 'utf8')))).not.toContain('"conclusion":"failure"');
  });

  it('bundles both functions with the local esbuild into ESM bundles that load on Node', async () => {
    const outdir = outputDirectory();
    const outcome = await outcomeOf(bin('cdk'), ['synth', '-q', '--no-notices', '-o', outdir], offlineEnvironment());
    expect(outcome.stderr).not.toMatch(/error/i);
    expect(outcome.code).toBe(0);

    const bundles = readdirSync(outdir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outdir, name, 'index.mjs'))
      .filter((file) => existsSync(file));
    expect(bundles).toHaveLength(2);
    for (const bundle of bundles) {
      const loaded = await outcomeOf(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`],
        offlineEnvironment(),
      );
      expect(loaded).toMatchObject({ code: 0, stdout: 'function\n' });
    }
  });

  it('reads settings from FACEGATE_* environment variables when the context has none', async () => {
    const outdir = outputDirectory();
    const outcome = await runApp(outdir, {}, { FACEGATE_STAGE: 'staging', FACEGATE_MAX_FACES: '12' });
    expect(outcome.code).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'Facegate-staging.template.json'), 'utf8'));
    const variables = Object.values<{ Type: string; Properties: { Environment?: { Variables: Record<string, unknown> } } }>(template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => resource.Properties.Environment?.Variables ?? {});
    expect(variables).toContainEqual(expect.objectContaining({ COLLECTION_PREFIX: 'facegate-staging', MAX_FACES: '12' }));
  });

  it('refuses invalid settings with a message naming each key, and no stack trace', async () => {
    const outcome = await runApp(outputDirectory(), { maxFaces: 0 }, { FACEGATE_QUALITY_FILTER: 'BEST' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('"maxFaces" (context key, or FACEGATE_MAX_FACES) must be an integer from 1 to 100, got 0');
    expect(outcome.stderr).toContain('"qualityFilter" (context key, or FACEGATE_QUALITY_FILTER) must be one of');
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
  });
});
