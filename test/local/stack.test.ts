import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PortInUseError, readRunningStack, StackAlreadyRunningError, startLocalStack, type LocalStack } from '../../local/stack.js';
import { runTenantCommand } from '../../scripts/tenant.js';
import { createFacelessEngine } from '../e2e/support/faceless-engine.js';

let dataDir: string;
const running: LocalStack[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'facegate-stack-'));
});
afterEach(async () => {
  for (const stack of running.splice(0)) await stack.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function boot(options: { devToken?: string; port?: number } = {}): Promise<LocalStack> {
  const stack = await startLocalStack({ port: 0, host: '127.0.0.1', dataDir, faceEngine: createFacelessEngine(), ...options });
  running.push(stack);
  return stack;
}

async function stop(stack: LocalStack): Promise<void> {
  running.splice(running.indexOf(stack), 1);
  await stack.close();
}

async function photoForm(): Promise<FormData> {
  const form = new FormData();
  const photo = await readFile('test/fixtures/faces/single_face_frontal.jpg');
  form.append('inputImages[]', new Blob([photo], { type: 'image/jpeg' }), 'single_face_frontal.jpg');
  form.append('collection', 'test-collection');
  return form;
}

async function uploadWith(stack: LocalStack, token: string): Promise<Response> {
  return fetch(`${stack.url}/ia/faces/bulkUpload`, { method: 'POST', headers: { Authorization: token }, body: await photoForm() });
}

function tenantCli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  return runTenantCommand(argv, { env: { DATA_DIR: dataDir }, out: (line) => out.push(line), err: (line) => err.push(line) }).then(
    (code) => ({ code, out: out.join('\n'), err: err.join('\n') }),
  );
}

describe('the local stack', () => {
  it('boots on a free port, reports healthy and serves the upload API with the dev tenant token', async () => {
    const stack = await boot();
    expect(stack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    const accepted = await uploadWith(stack, stack.token);
    expect(accepted.status).toBe(201);
    expect(((await accepted.json()) as { message: string }).message).toBe('Bulk indexing is now completed successfuly');
    expect((await uploadWith(stack, 'not-a-token')).status).toBe(401);
  });

  it("answers API Gateway's own errors as the deployed API customizes them", async () => {
    const stack = await boot();
    const unknown = await fetch(`${stack.url}/ia/faces/nothing`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const anonymous = await fetch(`${stack.url}/ia/faces/bulkUpload`, { method: 'POST', body: await photoForm() });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a revoked tenant with 403 once the authorizer runs for its token', async () => {
    const stack = await boot();
    const acmeToken = /Token, shown only this once: (\S+)/.exec((await tenantCli('create', 'acme')).out)![1]!;
    expect((await tenantCli('revoke', 'acme')).code).toBe(0);
    const refused = await uploadWith(stack, acmeToken);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });

  it('records where it runs in the data directory while it runs, and removes the record when stopped', async () => {
    const stack = await boot();
    expect(await readRunningStack(dataDir)).toMatchObject({ pid: process.pid, url: stack.url, endpoints: stack.endpoints });
    await stop(stack);
    expect(await readRunningStack(dataDir)).toBeUndefined();
  });

  it('keeps the dev token, the tenants and the stored originals across a restart', async () => {
    const first = await boot();
    const created = await tenantCli('create', 'acme');
    expect(created.code).toBe(0);
    const acmeToken = /Token, shown only this once: (\S+)/.exec(created.out)![1]!;
    expect((await uploadWith(first, acmeToken)).status).toBe(201);
    const devToken = first.token;
    await stop(first);

    const second = await boot();
    expect(second.token).toBe(devToken);
    expect((await uploadWith(second, acmeToken)).status).toBe(201);
    expect((await uploadWith(second, devToken)).status).toBe(201);
    const listed = await tenantCli('list');
    expect(listed.out).toMatch(/\tdev\tactive\t/);
    expect(listed.out).toMatch(/\tacme\tactive\t/);
  });

  it('gives the dev tenant the token DEV_TOKEN fixes', async () => {
    const stack = await boot({ devToken: 'fixed-dev-token-for-tests-0001' });
    expect(stack.token).toBe('fixed-dev-token-for-tests-0001');
    expect((await uploadWith(stack, 'fixed-dev-token-for-tests-0001')).status).toBe(201);
  });

  it('refuses a second stack on the same data directory while the first runs', async () => {
    await boot();
    await expect(boot()).rejects.toBeInstanceOf(StackAlreadyRunningError);
  });

  it('says which port is taken when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const failure = await boot({ port }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PortInUseError);
      expect((failure as PortInUseError).port).toBe(port);
      expect(await readRunningStack(dataDir)).toBeUndefined();
    } finally {
      blocker.close();
    }
  });
});
