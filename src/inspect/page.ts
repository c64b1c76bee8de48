/**
 * `lstm inspect --html`: one self-contained page (no network, opens from file://). The
 * inspection travels as JSON inside the page; every unit's cell state and gates as bytes
 * (PAGE_QUANTITIES), deflated and base64-encoded, which the page inflates with the
 * browser's own DecompressionStream. The page's script and style are the built
 * `dist/web/inspect-page.js` and `inspector.css`, inlined.
 */
import { readFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import type { StatefulLstm } from '../net/stateful.js';
import type { Vocab } from '../text/vocab.js';
import { inspectText, type Inspection, type PageData } from './inspection.js';
import type { UnitQuantity } from './surprise.js';
import { magnitude, quantise } from './units.js';

/** Rounded to what a page shows (the JSON output keeps every digit). */
const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toPrecision(digits)));

/**
 * What the page keeps of each unit: its cell state in 15 steps (7 each side of 0, scaled to
 * the unit's largest magnitude) and its gates in 3 (shut, half, open), one byte each. Every
 * unit of a 2x300 model over 2,000 characters then deflates to ~1.2 MB, keeping the page
 * under 2 MB; finer steps cost far more (gates at 5 steps: +0.35 MB; the values are too
 * noisy to compress), and the hidden output (o * tanh c) is left out. `lstm inspect --json
 * --units` and the `lstm web` page give exact values.
 */
const PAGE_QUANTITIES: readonly { name: UnitQuantity; levels: number }[] = [
  { name: 'c', levels: 15 },
  { name: 'i', levels: 3 },
  { name: 'f', levels: 3 },
  { name: 'o', levels: 3 },
];

function pageData(ins: Inspection, title: string): PageData {
  const { trace } = ins;
  const { layers: L, units: U, length: n } = trace;
  const bytes = new Uint8Array(L * PAGE_QUANTITIES.length * U * n);
  const scales: number[] = [];
  let at = 0;
  for (let l = 0; l < L; l++) {
    for (const q of PAGE_QUANTITIES) {
      for (let u = 0; u < U; u++) {
        const series = trace.series(l, q.name, u);
        const scale = q.name === 'c' ? round(magnitude(series), 6)! : 1;
        if (q.name === 'c') scales.push(scale);
        quantise(series, bytes.subarray(at, at + n), q.levels, q.name === 'c' ? -scale : 0, scale);
        at += n;
      }
    }
  }
  return {
    title,
    chars: ins.chars,
    bits: ins.bits.map((b) => round(b, 6)),
    prob: ins.prob.map((p) => round(p, 6)),
    expected: ins.expected.map((list) => list.map((e) => [e.char, round(e.prob, 4)!])),
    bitsPerChar: ins.bitsPerChar,
    predicted: ins.predicted,
    found: ins.found.map((f) => ({ ...f, r: round(f.r, 4)! })),
    units: {
      layers: L,
      units: U,
      length: n,
      quantities: PAGE_QUANTITIES,
      scales,
      data: deflateRawSync(bytes, { level: 6 }).toString('base64'),
    },
  };
}

/** The page around the data: the built script and style inlined, the data as inert JSON. */
async function pageHtml(data: PageData): Promise<string> {
  const asset = (name: string) => readFile(new URL(`../../web/${name}`, import.meta.url), 'utf8');
  const [script, style] = await Promise.all([asset('inspect-page.js'), asset('inspector.css')]);
  // `<` escaped so no text can close the script element early.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = data.title.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${style}</style>
</head>
<body>
<main id="inspector"></main>
<script type="application/json" id="inspection">${json}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** Inspects `text` into a page; returns it and the total (the CLI writes it where the user said). */
export async function inspectPage(
  net: StatefulLstm,
  vocab: Vocab,
  text: string,
  options: { top: number; title: string },
): Promise<{ html: string; bitsPerChar: number }> {
  const ins = inspectText(net, vocab, text, options.top);
  return { html: await pageHtml(pageData(ins, options.title)), bitsPerChar: ins.bitsPerChar ?? NaN };
}
