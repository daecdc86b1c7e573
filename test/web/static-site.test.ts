// The page's static-file responder on its own, behind a bare HTTP server: what it answers and what it leaves alone.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, serveWebPage } from '../../local/web/static-site.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (serveWebPage(request, response)) return;
    response.writeHead(599).end('not the page');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the static page responder', () => {
  it('answers the page at / and /index.html, whatever the query string', async () => {
    for (const path of ['/', '/index.html', '/?collection=x']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<form id="upload-form"');
    }
  });

  it('sends the page, its script, its style sheet and its icon with their types and the security headers', async () => {
    const types = { '/': 'text/html; charset=utf-8', '/app.js': 'text/javascript; charset=utf-8', '/style.css': 'text/css; charset=utf-8', '/favicon.svg': 'image/svg+xml' };
    for (const [path, type] of Object.entries(types)) {
      const response = await fetch(`${url}${path}`);
      expect(response.headers.get('content-type'), path).toBe(type);
      expect(response.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await fetch(`${url}/app.js`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });

  it('leaves other methods, other paths and paths outside its folder to the caller', async () => {
    const refused = [
      fetch(`${url}/`, { method: 'POST', body: 'x' }),
      fetch(`${url}/ia/faces/bulkUpload`),
      fetch(`${url}/static-site.ts`),
      fetch(`${url}/%2e%2e/stack.ts`),
    ];
    for (const response of await Promise.all(refused)) expect(response.status).toBe(599);
  });
});
