/**
 * The script of `lstm inspect --html`'s page: reads the inspection the page carries
 * (inspect/page.ts), inflates the units' bytes with the browser's DecompressionStream,
 * and renders the inspector view. No network: everything is in the page.
 */
import type { PageData } from '../../inspect/inspection.js';
import type { UnitQuantity } from '../../inspect/surprise.js';
import { dequantise } from '../../inspect/units.js';
import { renderInspector } from './inspector.js';

async function inflate(base64: string): Promise<Uint8Array> {
  const packed = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function main(): Promise<void> {
  const data = JSON.parse(document.getElementById('inspection')!.textContent!) as PageData;
  const { layers, units, length, quantities, scales } = data.units;
  const bytes = await inflate(data.units.data);
  const which = (q: UnitQuantity) => quantities.findIndex((x) => x.name === q);
  const scale = (l: number, q: UnitQuantity, u: number) => (q === 'c' ? scales[l * units + u] : 1);
  renderInspector(document.getElementById('inspector')!, {
    ...data,
    expected: data.expected.map((list) => list.map(([char, prob]) => ({ char, prob }))),
    layers,
    units,
    quantities: quantities.map((q) => q.name),
    series: (l, q, u) => {
      const s = (l * quantities.length + which(q)) * units + u; // [L, quantities, U] order
      return dequantise(
        bytes.subarray(s * length, (s + 1) * length),
        quantities[which(q)].levels,
        q === 'c' ? -scale(l, q, u) : 0,
        scale(l, q, u),
      );
    },
    scale,
  });
}

main().catch((err) => {
  document.body.append(`This page could not be shown: ${err instanceof Error ? err.message : String(err)}`);
  throw err;
});
