/**
 * `lstm export`: a checkpoint as a standalone model, never over something that is not a
 * model, nor into a bundle another run is writing; with --float16, half the size, and
 * every command reads it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpointSpecs } from '../../src/params.js';
import { sha256 } from '../../src/store/atomic.js';
import { readCheckpoint } from '../../src/store/read.js';
import { tempDir, useBundles } from '../helpers/bundles.js';
import { expectCleanError, lstm, ok } from '../helpers/cli.js';
import { canMount, mountReadOnly, mountSkip, unmount } from '../helpers/mounts.js';
import { deadPid, firstCheckpoint, snapshot, spawnEndlessTraining } from '../helpers/tiny.js';

/** The shared model of a.txt ('the cat sat on the mat. ' repeated), exported here into this file's own dir. */
const { base } = useBundles('base');
const bundle = base.model;
const sentenceFile = base.text;
const own = tempDir('export');
let dir: string;
beforeAll(() => {
  dir = own();
});

describe('lstm export', () => {
  it('refuses to write over a directory that is not a model, and leaves it alone', async () => {
    const precious = path.join(dir, 'precious');
    await mkdir(precious);
    await writeFile(path.join(precious, 'notes.txt'), 'keep me');
    const before = await snapshot(precious);
    for (const force of [[], ['--force']]) {
      const r = await lstm(['export', '-m', bundle, '--out', precious, ...force]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/exists and is not a model/);
    }
    expect(await snapshot(precious)).toEqual(before);
  });

  it('writes a model without optimizer state, and replaces a model only with --force', async () => {
    const out = path.join(dir, 'exported');
    expect((await lstm(['export', '-m', bundle, '--out', out])).code).toBe(0);
    const files = Object.keys((await readCheckpoint(out, checkpointSpecs)).manifest.files).sort();
    expect(files).toEqual(['model.json', 'weights.bin']);
    expect((await lstm(['export', '-m', bundle, '--out', out])).code).toBe(2);
    expect((await lstm(['export', '-m', bundle, '--out', out, '--force', '--note', 'how=test'])).code).toBe(0);
    expect((await readCheckpoint(out, checkpointSpecs)).manifest.notes).toEqual({ how: 'test' });
  });

  it('--origin records where the text comes from, shown by info', async () => {
    const out = path.join(dir, 'with-origin');
    expect(
      (await lstm(['export', '-m', bundle, '--out', out, '--origin', 'Project Gutenberg eBook #1533, play text only']))
        .code,
    ).toBe(0);
    const m = (await readCheckpoint(out, checkpointSpecs)).manifest;
    expect(m.corpus.origin).toBe('Project Gutenberg eBook #1533, play text only');
    // The command as a user would type it; the exact line stays as the invocation.
    expect(m.command).toMatch(/^lstm train a\.txt /);
    expect(m.command).not.toContain('--out');
    expect(m.invocation).toContain('--out');
    // Nothing of the training machine's file system: no corpus paths.
    expect(m.corpus.path).toBeUndefined();
    expect(m.corpus.files?.every((f) => f.path === undefined)).toBe(true);
    expect((await readCheckpoint(path.join(bundle, 'best'), checkpointSpecs)).manifest.corpus.path).toMatch(/^\//);
    expect(m.corpus.sha256).toBe(
      (await readCheckpoint(path.join(bundle, 'best'), checkpointSpecs)).manifest.corpus.sha256,
    );
    expect((await lstm(['info', '-m', out])).stdout).toContain('Project Gutenberg eBook #1533, play text only');
  });

  it('--float16 writes weights half the size that info, eval and generate read, and a plain re-export gives back float32', async () => {
    const f32 = path.join(dir, 'plain');
    const f16 = path.join(dir, 'half');
    expect(ok(await lstm(['export', '-m', bundle, '--out', f32]))).toBe('');
    const r = await lstm(['export', '-m', bundle, '--out', f16, '--float16']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`to ${f16} (float16 weights)`);
    const size = async (d: string) => (await stat(path.join(d, 'weights.bin'))).size;
    expect((await size(f16)) * 2).toBe(await size(f32));

    const info = JSON.parse(ok(await lstm(['info', '-m', f16, '--json'])));
    expect(info.weights).toEqual({ dtype: 'float16', bytes: await size(f16) });
    expect(JSON.parse(ok(await lstm(['info', '-m', f32, '--json']))).weights).toEqual({
      dtype: 'float32',
      bytes: await size(f32),
    });
    expect(ok(await lstm(['info', '-m', f16]))).toMatch(
      /^weights: {5}float16 \(half floats, TF\.js float16 quantization\), [\d,]+ bytes$/m,
    );

    // The measure that allows float16 in a shipped model: under 0.005 bits per character lost.
    const bpc = async (d: string) =>
      JSON.parse(ok(await lstm(['eval', sentenceFile, '-m', d, '--json']))).bitsPerChar as number;
    const [b32, b16] = [await bpc(f32), await bpc(f16)];
    expect(Math.abs(b16 - b32)).toBeLessThan(0.005);

    const sample = ok(await lstm(['generate', '-m', f16, '--seed', 'the ', '-n', '60', '--random-seed', '1']));
    expect([...sample]).toHaveLength(60);
    expect(sample).toMatch(/^[the casonm.]+$/); // the sentence's own characters

    // Exported again without --float16: float32 holding exactly the halves.
    const again = path.join(dir, 'half-then-plain');
    expect(ok(await lstm(['export', '-m', f16, '--out', again]))).toBe('');
    expect(await size(again)).toBe(await size(f32));
    const [halves, widened] = [
      await readCheckpoint(f16, checkpointSpecs),
      await readCheckpoint(again, checkpointSpecs),
    ];
    expect(widened.weightsDtype).toBe('float32');
    for (const [name, w] of halves.weights) expect([...widened.weights.get(name)!], name).toEqual([...w]);
  });

  it('a float16 export whose quantization was changed to uint8 is refused by every command, in one clean error', async () => {
    const f16 = path.join(dir, 'tampered');
    ok(await lstm(['export', '-m', bundle, '--out', f16, '--float16']));
    const modelJson = path.join(f16, 'model.json');
    const json = JSON.parse(await readFile(modelJson, 'utf8'));
    for (const w of json.weightsManifest[0].weights) w.quantization = { dtype: 'uint8', min: 0, scale: 1 };
    const text = JSON.stringify(json);
    await writeFile(modelJson, text);
    // Its hash made to match, so only the quantization check can object.
    const manifestPath = path.join(f16, 'lstm.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.files['model.json'] = { size: Buffer.byteLength(text), sha256: sha256(Buffer.from(text)) };
    await writeFile(manifestPath, JSON.stringify(manifest));
    for (const args of [
      ['generate', '-n', '5'],
      ['eval', sentenceFile],
      ['info'],
      ['export', '--out', path.join(dir, 'from-tampered')],
    ]) {
      const r = await lstm([...args, '-m', f16]);
      expectCleanError(expect, r, 1);
      expect(r.stderr, args[0]).toContain(
        `error: ${modelJson}: weight #1 lstm_1/kernel is quantized as "uint8"; lstm reads float32 weights, or float16 ones (quantization {"dtype":"float16"})\n`,
      );
    }
    expect(existsSync(path.join(dir, 'from-tampered'))).toBe(false);
  });

  it('refuses to write into a bundle another run is training, naming it, with or without --force', async () => {
    const training = path.join(dir, 'being-trained');
    const p = spawnEndlessTraining(sentenceFile, training);
    try {
      await firstCheckpoint(p);
      for (const force of [[], ['--force']]) {
        const r = await lstm(['export', '-m', bundle, '--out', training, ...force]);
        expectCleanError(expect, r, 1);
        expect(r.stderr).toContain(
          `error: ${training} is in use by another lstm run: pid ${p.child.pid} on ${hostname()}, since `,
        );
      }
    } finally {
      p.child.kill('SIGKILL');
    }
    await p.exited;
    expect(
      (await readCheckpoint(path.join(training, 'latest'), checkpointSpecs, { optimizer: true })).optimizer,
    ).toBeDefined(); // still the run's own
  });

  it('exports into a directory holding only a lock a dead process left, with a note, and leaves no lock', async () => {
    const out = path.join(dir, 'stale');
    await mkdir(out);
    const pid = await deadPid();
    await writeFile(
      path.join(out, '.lock'),
      JSON.stringify({
        pid,
        hostname: hostname(),
        startedAt: '2025-01-02T03:04:05Z',
        command: 'lstm export',
        token: 'abc',
      }),
    );
    const r = await lstm(['export', '-m', bundle, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: took over the lock of ${out} left by pid ${pid} on ${hostname()}`);
    expect((await readdir(out)).sort()).toEqual(['lstm.json', 'model.json', 'weights.bin']);
  });

  it.skipIf(!canMount)(`says a new --out is on a read-only file system, exit 1, not "a bug"${mountSkip}`, async () => {
    const ro = path.join(dir, 'read-only');
    await mkdir(ro);
    mountReadOnly(ro);
    try {
      const r = await lstm(['export', '-m', bundle, '--out', path.join(ro, 'new')]);
      expectCleanError(expect, r, 1);
      expect(r.stderr).toContain(
        `error: cannot export to ${path.join(ro, 'new')}: read-only file system (${ro})\nhint: choose a location on a writable file system`,
      );
    } finally {
      unmount(ro);
    }
  });
});
