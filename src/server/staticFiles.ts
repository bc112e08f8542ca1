import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

/** The page's files: only these types are served, each with its content type. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // The page loads only its own files and talks only to its own server.
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'",
};

/**
 * Serves the files of `root` (GET and HEAD only). A path that leaves the root, a hidden file,
 * a type not listed above or anything that is not a regular file is a 404, so nothing else on
 * the disk can be read through the server.
 */
export function createStaticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const base = resolve(root);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(res, 400, 'bad request');
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, `.${path}`);
    const type = CONTENT_TYPES[extname(file)];
    if (!file.startsWith(base + sep) || path.includes('\0') || path.split('/').some((part) => part.startsWith('.')) || type === undefined) return send(res, 404, 'not found');
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) return send(res, 404, 'not found');
    const body = await readFile(file);
    res.writeHead(200, { ...HEADERS, 'content-type': type, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

export function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, { ...HEADERS, ...headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  res.end(body);
}
