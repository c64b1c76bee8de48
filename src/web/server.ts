/**
 * The `lstm web` server: static and read-only. Every response comes from a fixed table of
 * routes built at start-up, with the bytes read (and a bundle's verified) then; no path is
 * ever made from a URL, so nothing outside the table can be reached however the URL is
 * spelled. GET and HEAD only. Bound to loopback by default, where it also refuses requests
 * for another host name (a DNS-rebinding page could otherwise read the model through it).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = { body: Uint8Array; type: string };
export type Routes = ReadonlyMap<string, Route>;

/** Content types by file extension (everything the page serves). */
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  wasm: 'application/wasm',
  bin: 'application/octet-stream',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
};

export const contentType = (name: string) =>
  CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

/**
 * Scripts only from this server, wasm allowed to compile (TF.js's backend), nothing else
 * fetched from anywhere; inline styles allowed (the inspector colours characters).
 */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopback = (host: string) => LOOPBACK.has(host) || host.startsWith('127.');

export type Served = { url: string; host: string; port: number; close: () => Promise<void> };

/** Starts serving `routes` on host:port (port 0: a free one). Rejects with the listen error (EADDRINUSE, EACCES). */
export function serve(routes: Routes, host: string, port: number): Promise<Served> {
  let allowedHosts: Set<string> | undefined;
  const server = createServer((req, res) => respond(routes, allowedHosts, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = (server.address() as AddressInfo).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      if (isLoopback(host))
        allowedHosts = new Set([`${shown}:${actual}`, `localhost:${actual}`, `127.0.0.1:${actual}`, `[::1]:${actual}`]);
      resolve({
        url: `http://${shown}:${actual}/`,
        host,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function respond(
  routes: Routes,
  allowedHosts: Set<string> | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const send = (
    status: number,
    body: string | Uint8Array,
    type = 'text/plain; charset=utf-8',
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': type,
      'Content-Length': String(body.length),
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (allowedHosts && !allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
    send(403, 'forbidden: this server answers only to its own address\n');
  } else if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(405, 'method not allowed: lstm web is read-only\n', undefined, { Allow: 'GET, HEAD' });
  } else {
    const path = pathOf(req.url);
    const route = path === null ? undefined : routes.get(path);
    if (route) send(200, route.body, route.type);
    else if (path === null) send(400, 'bad request\n');
    else send(404, 'not found\n');
  }
}

/** The path a request names, or null when its URL does not parse. */
function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}
