import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthesizeStack } from './synthesize-stack.js';

function findingsOf(checks: AwsSolutionsChecks, app: App): string[] {
  return checks
    .validateScope(app)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`),
    );
}

/** The same rules with every acknowledgement ignored: what the acknowledgements are answering. */
class UnacknowledgedAwsSolutionsChecks extends AwsSolutionsChecks {}
// cdk-nag 3 consults this (private) method for each finding; this test-only subclass sees them all.
(UnacknowledgedAwsSolutionsChecks.prototype as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;

function acknowledgementsIn(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each([
  ['the default deployment', {}],
  ['a deployment with its own prefix and no API Gateway logging role', { stage: 'dev', collectionPrefix: 'acme', apiGatewayCloudWatchRole: false }],
])('cdk-nag AwsSolutions on %s', (_name, context) => {
  const { app } = synthesizeStack(context);

  it('reports no error or warning that is not acknowledged', () => {
    expect(findingsOf(new AwsSolutionsChecks(), app)).toEqual([]);
  });

  it('has a reason of at least a sentence for every acknowledgement', () => {
    const acknowledgements = acknowledgementsIn(app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) expect(reason, id).toMatch(/^[A-Z].{40,}\.$/s);
  });

  it('acknowledges only findings that exist, so none outlives its cause', () => {
    const raw = new Set(findingsOf(new UnacknowledgedAwsSolutionsChecks(), app).map((finding) => finding.split(' ')[1]));
    const stale = acknowledgementsIn(app).filter(({ id }) => !raw.has(id));
    expect(stale).toEqual([]);
  });
});
