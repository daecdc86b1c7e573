// `npm start` as a user runs it: a separate process, configured by environment variables, stopped by a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dataDir: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'facegate-start-'));
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  let output = '';
  // tsx itself, not through npm: the signal then reaches the stack's process as it does on Ctrl+C.
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
  return { output: () => output, exited };
}

async function waitFor(pattern: RegExp, started: Started, timeoutMs = 120_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (Date.now() > deadline || child?.exitCode !== null) throw new Error(`No ${pattern} in the output:\n${started.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm start', () => {
  it('prints the URL and the token, answers /health, and stops every part cleanly on SIGTERM', async () => {
    const started = start({ PORT: '0', DEV_TOKEN: 'start-test-dev-token-0001' });
    const url = (await waitFor(/facegate is running at (http:\/\/127\.0\.0\.1:\d+)/, started))[1]!;
    expect(started.output()).toContain('Dev tenant token: start-test-dev-token-0001');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(JSON.parse(await readFile(join(dataDir, 'stack.json'), 'utf8'))).toMatchObject({ status: 'ready', url });

    child!.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.output()).toContain('Stopped.');
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('exits 1 naming PORT when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const started = start({ PORT: String(port) });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`Port ${port} on 127.0.0.1 is already in use. Set PORT to a free port`);
    } finally {
      blocker.close();
    }
  });

  it('exits 1 explaining the variable when PORT or DEV_TOKEN is malformed', async () => {
    const badPort = start({ PORT: 'eighty' });
    expect(await badPort.exited).toBe(1);
    expect(badPort.output()).toContain('PORT must be an integer from 0 to 65535, got "eighty".');
    const badToken = start({ DEV_TOKEN: 'has spaces in it, too short?' });
    expect(await badToken.exited).toBe(1);
    expect(badToken.output()).toContain('DEV_TOKEN must be 16 to 512 characters without spaces');
  });

  it('exits 1 naming the field when FAULT_PLAN is invalid, before starting anything', async () => {
    const started = start({ PORT: '0', FAULT_PLAN: '{"rekognition":{"throttle":1.5}}' });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain('FAULT_PLAN.rekognition.throttle must be a fraction from 0 to 1 (0.3 = 30% of calls), got 1.5');
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
  });

  it('says in its banner when a FAULT_PLAN is active', async () => {
    const started = start({ PORT: '0', DEV_TOKEN: 'start-test-dev-token-0002', FAULT_PLAN: '{"seed":3,"rekognition":{"throttle":0.3}}' });
    await waitFor(/facegate is running at/, started);
    expect((await waitFor(/FAULT_PLAN is active, faults are injected: (.*)/, started))[1]).toBe('{"seed":3,"rekognition":{"throttle":0.3}}');
    child!.kill('SIGTERM');
    expect(await started.exited).toBe(0);
  });
});
