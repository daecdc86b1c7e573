import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDeploymentSettings, type DeploymentSettings } from '../../lib/deployment-settings.js';
import { FacegateStack } from '../../lib/facegate-stack.js';

const CDK_JSON = fileURLToPath(new URL('../../cdk.json', import.meta.url));

/** cdk.json's context (the feature flags `cdk synth` applies), so tests check the template that deploys. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> }).context;
}

export interface SynthesizedStack {
  app: App;
  stack: FacegateStack;
  settings: DeploymentSettings;
  template: Template;
}

/** The stack as bin/facegate.ts builds it, from the given context values, with bundling skipped. */
export function synthesizeStack(context: Record<string, unknown> = {}): SynthesizedStack {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const settings = parseDeploymentSettings((key) => context[key]);
  const stack = new FacegateStack(app, settings.stackName, { settings });
  return { app, stack, settings, template: Template.fromStack(stack) };
}
