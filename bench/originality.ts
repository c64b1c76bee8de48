/**
 * `npm run build && node dist/bench/originality.js [text.txt]`: how long text/originality
 * takes to check a 2,000-character output against ~5 MB of training text. The text
 * (default ../shared/corpora/tinyshakespeare.txt; skipped when absent) is repeated to 5 MB,
 * each copy with every 997th character's case flipped at its own offset, so the copies are
 * not identical. Outputs: characters drawn at random from the text's own characters; an
 * order-4 character Markov chain of the text (reads like a weak model's output: many short
 * matches); and that chain with a 300-character passage of the text in its middle. Median
 * of 5 runs after a warm-up. Never part of `npm test`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { originality } from '../src/text/verbatim.js';

const here = dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'corpora', 'tinyshakespeare.txt');
if (!existsSync(source)) {
  console.error(`skipped: no ${source} (pass a text file)`);
  process.exit(0);
}
const text = readFileSync(source, 'utf8');
const TARGET = 5_000_000;
let corpus = '';
for (let copy = 0; corpus.length < TARGET; copy++) {
  const chars = text.split('');
  for (let i = 31 * copy; i < chars.length; i += 997)
    chars[i] = chars[i] === chars[i].toLowerCase() ? chars[i].toUpperCase() : chars[i].toLowerCase();
  corpus += chars.join('');
}

let seed = 12345;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const N = 2000;
const drawn = Array.from({ length: N }, () => text[Math.floor(random() * text.length)]).join('');
let chain = text.slice(5000, 5004);
while (chain.length < N) {
  const context = chain.slice(-4);
  const at = text.indexOf(context, Math.floor(random() * text.length));
  chain += text[(at >= 0 ? at : text.indexOf(context)) + 4];
}
const passage = corpus.slice(2_000_000, 2_000_300);
const copied = chain.slice(0, 850) + passage + chain.slice(1150);

console.log(
  `corpus ${corpus.length.toLocaleString('en-US')} characters (${source} repeated), outputs ${N.toLocaleString('en-US')} characters`,
);
for (const [name, output] of [
  ['random characters', drawn],
  ['order-4 Markov text', chain],
  ['Markov text with a 300-character passage', copied],
] as const) {
  originality(output, corpus); // warm-up
  const ms: number[] = [];
  let result = originality(output, corpus);
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    result = originality(output, corpus);
    ms.push(performance.now() - t0);
  }
  const median = [...ms].sort((a, b) => a - b)[2];
  console.log(
    `${name.padEnd(42)} ${median.toFixed(0).padStart(5)} ms (${ms.map((t) => t.toFixed(0)).join(', ')})  longest ${result.longest.length}, copied ${(100 * result.copiedShare).toFixed(1)}%`,
  );
}
