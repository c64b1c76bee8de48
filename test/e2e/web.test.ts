/**
 * `lstm web` over HTTP (no browser): what it serves, byte for byte, and what it refuses: other
 * paths however spelled, writes, other host names, a damaged bundle, a taken port.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanError, lstm, repoRoot } from '../helpers/cli.js';
import { makeTempDir, removeDir } from '../helpers/tiny.js';
import { startWeb, type WebServer } from '../helpers/web.js';

/** A raw request (fetch would normalise `..` away and refuses to set Host). */
function get(
  url: string,
  rawPath: string,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: options.host ? { Host: options.host } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const model = path.join(repoRoot, 'bundled', 'macbeth');
let server: WebServer;

beforeAll(async () => {
  server = await startWeb();
});
afterAll(async () => {
  expect(await server?.stop()).toBe(0); // SIGINT ends it quietly
});

describe('lstm web serves', () => {
  it('prints its address on 127.0.0.1 and a free port on stdout, and says how to stop on stderr', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (let i = 0; i < 50 && !server.stderr().includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 40)); // two pipes: no order between them
    expect(server.stderr()).toMatch(/Ctrl-C stops/);
  });

  it.each([
    { path: '/', type: 'text/html; charset=utf-8', has: 'tfjs/tf-backend-wasm.min.js' },
    { path: '/app.js', type: 'text/javascript; charset=utf-8', has: 'generate' },
    { path: '/session.json', type: 'application/json', has: '"model"' },
  ])(
    '$path as $type, read-only and cache-free, under a strict content security policy',
    async ({ path: p, type, has }) => {
      const r = await get(server.url, p);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe(type);
      expect(r.body.toString()).toContain(has);
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(r.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self' 'wasm-unsafe-eval'/);
    },
  );

  it("the model's files exactly as on disk, and TF.js's browser builds from node_modules", async () => {
    for (const name of ['lstm.json', 'model.json', 'weights.bin']) {
      const r = await get(server.url, `/model/${name}`);
      expect(r.status).toBe(200);
      expect(r.body.equals(await readFile(path.join(model, name)))).toBe(true);
    }
    const wasm = await get(server.url, '/tfjs/tfjs-backend-wasm-simd.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    const disk = await readFile(
      path.join(repoRoot, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
    );
    expect(createHash('sha256').update(wasm.body).digest('hex')).toBe(createHash('sha256').update(disk).digest('hex'));
    expect((await get(server.url, '/tfjs/tf-core.min.js')).status).toBe(200);
    const head = await get(server.url, '/model/weights.bin', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });
});

describe('lstm web refuses', () => {
  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/tfjs/../../package.json',
    '/model/../lstm.json',
    '/model/%2e%2e%2fpackage.json',
    '/model/optimizer.bin',
    '//etc/passwd',
    '/tfjs/package.json',
    '/inspect-page.js',
    '/corpus.txt',
    '/index.html/',
    '/nothing',
  ])('%s: not found, nothing leaked', async (p) => {
    const r = await get(server.url, p);
    expect(r.status).toBe(404);
    expect(r.body.toString()).toBe('not found\n');
  });

  it('writes (405, Allow: GET, HEAD) and requests for another host name (403: DNS rebinding)', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await get(server.url, '/', { method });
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
    expect((await get(server.url, '/', { host: 'evil.example:80' })).status).toBe(403);
    const port = new URL(server.url).port;
    expect((await get(server.url, '/', { host: `localhost:${port}` })).status).toBe(200);
  });
});

describe('lstm web start-up errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('web');
  });
  afterAll(() => removeDir(dir));

  it('a damaged bundle is refused as every command refuses it, before listening', async () => {
    const broken = path.join(dir, 'broken');
    await cp(model, broken, { recursive: true });
    const weights = await readFile(path.join(broken, 'weights.bin'));
    weights[1000] ^= 0xff;
    await writeFile(path.join(broken, 'weights.bin'), weights);
    const r = await lstm(['web', '-m', broken]);
    expectCleanError(expect, r, 1);
    expect(r.stderr).toMatch(/weights\.bin: sha256 does not match lstm\.json/);
  });

  it('a port in use is a one-line error naming it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const r = await lstm(['web', '--port', String(port)]);
      expectCleanError(expect, r, 2);
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      taken.close();
    }
  });

  it('a given --corpus that cannot be read is an error; without one, the bundled model serves no training text, and the page says in one sentence how to get the figure', async () => {
    const r = await lstm(['web', '--corpus', path.join(dir, 'missing.txt')]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const session = JSON.parse((await get(server.url, '/session.json')).body.toString());
    expect(session.corpus).toBeNull();
    expect(session.corpusNote).toBe(
      'To see how much of a sample is copied from the training text, run lstm web --corpus <path to macbeth.txt>.',
    );
    // Why, with the paths, is the terminal's to say.
    expect(server.stderr()).toMatch(/no originality figure in the page: .*does not record where its training text is/);
  });
});
