import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Architecture, Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BundledFunctionProps {
  /** Entry file, relative to the project root; it exports `handler`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
  memorySize: number;
  timeout: Duration;
  logRetention: RetentionDays;
  reservedConcurrentExecutions?: number;
}

/**
 * A Lambda function bundled locally by esbuild (no Docker), with its own log group and its own role that may
 * only write to that log group until the caller grants it more.
 */
export class BundledFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // A role of our own instead of the default one, which carries the AWSLambdaBasicExecutionRole managed policy
    // (logs on every log group of the account).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (${Stack.of(this).stackName})`,
    });
    this.logGroup.grantWrite(this.role);

    const entry = join(PROJECT_ROOT, props.entry);
    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      // When bundling is skipped for this stack (`aws:cdk:bundling-stacks`, as in unit tests) nothing would read
      // the entry, yet NodejsFunction insists that it exists: hand it the unbundled directory instead, as CDK
      // itself does for skipped assets. The handler name is the one the bundle exports.
      ...(Stack.of(this).bundlingRequired ? {} : { code: Code.fromAsset(dirname(entry)), handler: 'index.handler' }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        // Stack traces need file names and lines, not the sources: keeps the bundle small.
        sourcesContent: false,
        target: 'node22',
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK instead of using the runtime's copy: the tested version ships, and one minified
        // file loads faster than the runtime's node_modules tree.
        externalModules: [],
        // CommonJS dependencies (busboy) call require() on Node built-ins, which an ES module lacks.
        banner: "import{createRequire as __facegateCreateRequire}from'node:module';const require=__facegateCreateRequire(import.meta.url);",
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the handlers are built (esbuild target node22) and tested for; moving to a ' +
        'newer runtime is a deliberate, tested change, not an automatic one.',
    });
  }

  /** Grants the function one more permission; statements stay on its own role. */
  allow(statement: PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }
}
