// The CDK app: the one place that reads deployment settings (CDK context first, then FACEGATE_* environment
// variables), and the place that applies the cdk-nag AwsSolutions checks to everything it synthesizes.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  DeploymentSettingsError,
  environmentVariableFor,
  parseDeploymentSettings,
  type DeploymentSettings,
} from '../lib/deployment-settings.js';
import { FacegateStack } from '../lib/facegate-stack.js';

const app = new App();

function readSettings(): DeploymentSettings {
  try {
    return parseDeploymentSettings((key) => app.node.tryGetContext(key) ?? process.env[environmentVariableFor(key)]);
  } catch (error) {
    if (!(error instanceof DeploymentSettingsError)) throw error;
    // The message lists every bad key and what it expects; a stack trace would only bury it.
    console.error(error.message);
    process.exit(1);
  }
}

const settings = readSettings();
new FacegateStack(app, settings.stackName, {
  settings,
  description: `facegate (${settings.stage}): bulk face indexing API`,
  // No `env`: the template refers to its region and account through AWS::Region and AWS::AccountId, so it
  // synthesizes offline and deploys wherever the credentials of `cdk deploy` point.
});
// Runs when the app synthesizes: a finding neither fixed nor acknowledged with its reason fails the synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
