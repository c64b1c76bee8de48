/**
 * The README is tested: its sample shows what that command prints today; every quick-start
 * command runs as written, in an empty directory as a user with a global install would
 * (the download replaced by a stand-in text, and the training stopped with Ctrl-C after its
 * first checkpoint, as the README says it can be); and no link in the README or docs/ points
 * nowhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaults, SAMPLE_TEXT } from '../../src/config.js';
import { bash, binPath, lstm, ok, repoRoot, shellQuote } from '../helpers/cli.js';
import { makeTempDir, removeDir, spawnLstm, words } from '../helpers/tiny.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

/** The fenced blocks of `markdown` with their language. */
const blocks = (markdown: string) => [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => [m[1], m[2]]);

/** The commands of the quick start, comments dropped. */
function quickStart(): string[] {
  const section = readme.slice(
    readme.indexOf('## Quick start'),
    readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1),
  );
  const [, code] = blocks(section)[0];
  return code
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** A command line as the user's shell runs it, with `npx lstm` the built bin. */
const asRun = (line: string) => line.replaceAll('npx lstm', `node ${shellQuote(binPath)}`);

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('readme');
});
afterAll(() => removeDir(dir));

describe('README', () => {
  it('the sample is what its command prints today', async () => {
    const [, sample] = blocks(readme).find(([lang, code]) => lang === 'console' && code.startsWith('$ npx lstm'))!;
    const [command, ...output] = sample.split('\n');
    const r = await bash(asRun(command.slice(2)));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd()).toBe(output.join('\n').trimEnd());
  });

  it('runs every quick-start command as written, in an empty directory', async () => {
    const commands = quickStart();
    expect(commands[0]).toBe('npx lstm generate "MACBETH."');
    expect(commands).toContain(SAMPLE_TEXT); // the download that hints offer (config.ts)
    for (const line of commands) {
      if (line.startsWith('curl ')) {
        // No network here: a stand-in text by the name the download gives.
        const name = /-o (\S+)/.exec(line)![1];
        const play = `MACBETH.\nTo be, or not to be.\n\nLADY MACBETH.\n${words}`;
        await writeFile(path.join(dir, name), play);
      } else if (/^npx lstm train /.test(line)) {
        const training = spawnLstm(line.replace(/^npx lstm /, '').split(' '), dir);
        for (let waited = 0; !existsSync(path.join(dir, 'models', 'macbeth', 'best', 'lstm.json')); waited += 100) {
          expect(waited, training.stderr()).toBeLessThan(60_000);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        training.child.kill('SIGINT');
        const { code } = await training.exited;
        expect(code, training.stderr()).not.toBe(0); // stopped by the user, not finished
        expect(training.stderr()).toContain('lstm train --resume models/macbeth');
        // The text is small for the network the run trains: from the base, with both vocabularies
        // (a checkpoint's float32 weights.bin holds 4 bytes a parameter).
        const note = /is a small text for ([\d,]+) parameters/.exec(training.stderr());
        expect(note, training.stderr()).not.toBeNull();
        const weights = statSync(path.join(dir, 'models', 'macbeth', 'best', 'weights.bin')).size;
        expect(Number(note![1].replaceAll(',', ''))).toBe(weights / 4);
        // In the order a user reads why: where it starts, the recipe fitted to the text, the run.
        const lines = training.stderr().split('\n');
        const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
        expect(at(/^starting from bundled\/shakespeare /), training.stderr()).toBe(0);
        expect(at(/is a small text for/)).toBe(1);
        expect(at(/^fine-tuning models\/macbeth: /)).toBe(2);
        // The recipe follows the figure the start line measured: gentle steps when the base reads
        // the text well (config.ts smallText.familiar; the rule's rows in test/unit/train/settings.test.ts).
        const baseBits = Number(/predicts the held-out ones it knows at ([\d.]+) bits each/.exec(lines[0])![1]);
        const { familiar, ...small } = defaults.smallText;
        const recipe = baseBits < familiar.maxBaseBits ? { ...small, ...familiar } : small;
        const manifest = JSON.parse(readFileSync(path.join(dir, 'models', 'macbeth', 'best', 'lstm.json'), 'utf8'));
        expect(manifest.hyperparameters).toMatchObject({
          dropout: recipe.dropout,
          batchSize: recipe.batchSize,
          lr: recipe.lr,
        });
        expect(lines[1]).toContain(baseBits < familiar.maxBaseBits ? 'already reads it well' : 'against overfitting');
      } else {
        const r = await bash(asRun(line), { cwd: dir });
        expect(r.code, `${line}\n${r.stderr}`).toBe(0);
        expect(r.stdout.length, line).toBeGreaterThan(0);
        if (/^npx lstm models/.test(line)) expect(r.stdout).toContain('models/macbeth');
      }
    }
  });

  it('every relative link in the README and docs/ points to a file (and heading) that exists', () => {
    const pages = [
      'README.md',
      ...readdirSync(path.join(repoRoot, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    const slugs = (file: string) =>
      new Set(
        [...readFileSync(file, 'utf8').matchAll(/^#+ (.*)$/gm)].map((m) =>
          m[1]
            .toLowerCase()
            .replace(/[^\p{L}\p{N} -]/gu, '')
            .replace(/ /g, '-'),
        ),
      );
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(path.join(repoRoot, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?|mailto):/.test(target)) continue;
        const [file, anchor] = target.split('#');
        const resolved = file === '' ? path.join(repoRoot, page) : path.join(repoRoot, path.dirname(page), file);
        if (!existsSync(resolved)) broken.push(`${page}: ${target}`);
        else if (anchor && resolved.endsWith('.md') && !slugs(resolved).has(anchor)) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('stays a user page of at most 200 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(201);
  });
});

// The README's own claim about --help, checked where it is cheap.
it('lstm help completion says how to install it', async () => {
  expect(ok(await lstm(['help', 'completion']))).toContain('completions/lstm');
});
