// The upload page served at `/` by `npm start`: a few static files, read once at start and answered from memory,
// with headers that keep the page to its own origin (the API is same-origin, so nothing else is needed).
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

const PUBLIC_DIR = join(import.meta.dirname, 'public');

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Only this origin: the photos are drawn from their bytes on a canvas, so no blob: or data: source is needed. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
} as const;

interface StaticFile {
  body: Buffer;
  contentType: string;
}

function load(fileName: string): StaticFile {
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1);
  return { body: readFileSync(join(PUBLIC_DIR, fileName)), contentType: CONTENT_TYPES[extension]! };
}

const FILES: ReadonlyMap<string, StaticFile> = new Map([
  ['/', load('index.html')],
  ['/app.js', load('app.js')],
  ['/style.css', load('style.css')],
  ['/favicon.svg', load('favicon.svg')],
]);

/**
 * Answers GET and HEAD for the page's files and returns true; returns false, without touching the response, for
 * anything else (the API routes, unknown paths), which the caller answers as API Gateway would.
 */
export function serveWebPage(request: IncomingMessage, response: ServerResponse): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = new URL(`http://localhost${request.url ?? '/'}`).pathname;
  const file = FILES.get(path === '/index.html' ? '/' : path);
  if (!file) return false;
  response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': file.contentType, 'content-length': file.body.length });
  response.end(request.method === 'HEAD' ? undefined : file.body);
  return true;
}
