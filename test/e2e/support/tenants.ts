// A new tenant of a running local stack, created as an operator does (`npm run tenant -- create <name>`).
import { expect } from 'vitest';
import { runTenantCommand } from '../../../scripts/tenant.js';

export async function createTenant(dataDir: string, name: string): Promise<{ token: string; tenantId: string }> {
  const out: string[] = [];
  const code = await runTenantCommand(['create', name], { env: { DATA_DIR: dataDir }, out: (line) => out.push(line), err: () => undefined });
  expect(code).toBe(0);
  const printed = out.join('\n');
  const token = /Token, shown only this once: (\S+)/.exec(printed)?.[1];
  const tenantId = /tenantId:? ?"?([0-9a-f]{16})/i.exec(printed)?.[1];
  if (!token || !tenantId) throw new Error(`Unexpected output of tenant create:\n${printed}`);
  return { token, tenantId };
}
