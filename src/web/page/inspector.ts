/**
 * The inspector view, in the browser: the text coloured by surprise, what the model
 * expected at a character on hover or tap, and a unit browser that draws any unit's cell
 * state, hidden output or gate as a colour strip under the text, with the units found to
 * track something one click away. Shared by the `--html` page and the `lstm web` page.
 */
import { plural } from '../../figures.js';
import { SURPRISE_BANDS, surpriseBand, unitColour } from '../../inspect/colours.js';
import { QUANTITY_NAMES, type UnitQuantity } from '../../inspect/surprise.js';
import type { Inspection } from '../../inspect/inspection.js';
import { TRACKING_R } from '../../inspect/units.js';

/** What the view shows, wherever the numbers came from (a page's data, or a model in this browser). */
export type InspectView = Omit<Inspection, 'trace'> & {
  title?: string;
  layers: number;
  units: number;
  /** The quantities it has for every unit (a page keeps the cell state and gates). */
  quantities: readonly UnitQuantity[];
  /** One unit's values over the text, [n]. */
  series(layer: number, quantity: UnitQuantity, unit: number): ArrayLike<number>;
  /** The magnitude its colours are scaled to: the largest it reaches (1 for gates, which live in [0, 1]). */
  scale(layer: number, quantity: UnitQuantity, unit: number): number;
};

type Selection = { layer: number; quantity: UnitQuantity; unit: number } | null;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;
const percent = (p: number) => (p >= 0.995 ? '>99%' : p < 0.005 ? '<1%' : `${Math.round(p * 100)}%`);
const shown = (ch: string) => (ch === '\n' ? '↵' : ch === ' ' ? '␣' : ch === '\t' ? '⇥' : ch);
export const unitName = (layer: number, unit: number) => `layer ${layer + 1} unit ${unit}`;

/** The surprise bands' colours as style rules, from their one home (inspect/colours.ts). */
function bandStyle(): HTMLStyleElement {
  const rules = SURPRISE_BANDS.map((b, i) => {
    if (!b.rgb) return '';
    const dark = b.rgb[0] * 0.299 + b.rgb[1] * 0.587 + b.rgb[2] * 0.114 < 150;
    return `.inspector .b${i}{background:${rgb(b.rgb)};${dark ? 'color:#fff;' : ''}}`;
  });
  return el('style', { textContent: rules.join('\n') });
}

/** Renders the view into `root` (replacing what was there). */
export function renderInspector(root: HTMLElement, view: InspectView): void {
  root.replaceChildren(bandStyle());
  root.classList.add('inspector');
  const controls = unitControls(view);
  const strip = textStrip(view);
  const select = selector(view, controls, strip);
  const units = el('section', { className: 'units' }, controls.box, ...foundUnits(view, select.to));
  const tip = tooltip(root, view, strip.text, select.current);
  root.append(header(view), units, strip.text, tip);
  // The first unit found to track something is shown from the start.
  const first = view.found.find((f) => Math.abs(f.r) >= TRACKING_R);
  select.to(first ? { layer: first.layer, quantity: first.quantity, unit: first.unit } : null);
}

/** Title, the total, and the surprise bands' legend. */
function header(view: InspectView): HTMLElement {
  const legend = el(
    'span',
    { className: 'legend' },
    'surprise in bits: ',
    ...SURPRISE_BANDS.map((b, i) => el('span', { className: `band b${i}` }, b.label)),
  );
  const total =
    view.bitsPerChar === null
      ? ''
      : `${view.bitsPerChar.toFixed(3)} bits per character over ${plural(view.predicted, 'predicted character')}`;
  const box = el('header');
  if (view.title) box.append(el('h1', { textContent: view.title }));
  box.append(el('p', { className: 'total', textContent: total }), legend);
  return box;
}

type UnitControls = {
  box: HTMLElement;
  layer: HTMLSelectElement;
  quantity: HTMLSelectElement;
  unit: HTMLInputElement;
  slider: HTMLInputElement;
  off: HTMLButtonElement;
};

/** The unit browser's controls: layer, quantity, unit (a number and a slider), and no strip. */
function unitControls(view: InspectView): UnitControls {
  const layer = el(
    'select',
    { ariaLabel: 'layer' },
    ...Array.from({ length: view.layers }, (_, l) => el('option', { value: String(l), textContent: `layer ${l + 1}` })),
  );
  const quantity = el(
    'select',
    { ariaLabel: 'quantity' },
    ...view.quantities.map((q) => el('option', { value: q, textContent: QUANTITY_NAMES[q] })),
  );
  const unit = el('input', { type: 'number', min: '0', max: String(view.units - 1), value: '0', ariaLabel: 'unit' });
  const slider = el('input', {
    type: 'range',
    min: '0',
    max: String(view.units - 1),
    value: '0',
    ariaLabel: 'unit slider',
  });
  const off = el('button', { type: 'button', textContent: 'no strip' });
  const box = el('div', { className: 'controls' }, 'colour strip: ', layer, ' ', quantity, ' unit ', unit, slider, off);
  return { box, layer, quantity, unit, slider, off };
}

/** The units found to track something, each a button that shows it; then what no unit follows. */
function foundUnits(view: InspectView, pick: (next: Selection) => void): HTMLElement[] {
  const out: HTMLElement[] = [];
  const tracking = view.found.filter((f) => Math.abs(f.r) >= TRACKING_R);
  const untracked = view.found.filter((f) => Math.abs(f.r) < TRACKING_R);
  if (tracking.length) {
    const list = el('ol', { className: 'found' });
    for (const found of tracking) {
      const button = el(
        'button',
        { type: 'button' },
        el('b', { textContent: found.feature }),
        ` ${unitName(found.layer, found.unit)}, ${QUANTITY_NAMES[found.quantity]} (r = ${found.r.toFixed(2)})`,
      );
      button.addEventListener('click', () => pick({ layer: found.layer, quantity: found.quantity, unit: found.unit }));
      list.append(el('li', {}, button));
    }
    out.push(
      el('p', {
        className: 'found-title',
        textContent: 'Units found to track something (correlation r over this text):',
      }),
      list,
    );
  }
  if (untracked.length) {
    const best = untracked
      .map((f) => `${f.feature} (the best, ${unitName(f.layer, f.unit)}, has r = ${f.r.toFixed(2)})`)
      .join('; ');
    out.push(el('p', { className: 'found-none', textContent: `No single unit follows: ${best}.` }));
  }
  return out;
}

type TextStrip = { text: HTMLElement; spans: HTMLSpanElement[] };

/** The text, one span per character coloured by its surprise; the chosen unit draws under it. */
function textStrip(view: InspectView): TextStrip {
  const text = el('div', { className: 'text' });
  const spans = view.chars.map((ch, i) => {
    const span = el('span', {
      className: `ch b${surpriseBand(view.bits[i])}${ch === '\n' ? ' nl' : ''}`,
      textContent: ch === '\n' ? '↵' : ch,
    });
    span.dataset.i = String(i);
    if (view.bits[i] !== null) span.dataset.bits = String(view.bits[i]);
    text.append(span);
    if (ch === '\n') text.append(el('br'));
    return span;
  });
  return { text, spans };
}

/**
 * The unit shown, and its values over the text (kept for the tooltip: a page's series is
 * decoded afresh on every call).
 */
type Shown = { selection: Selection; values: ArrayLike<number> | undefined };

/** Choosing the unit the strip shows, from the controls or a found unit; the controls follow. */
function selector(
  view: InspectView,
  controls: UnitControls,
  strip: TextStrip,
): { to: (next: Selection) => void; current: () => Shown } {
  const { layer, quantity, unit, slider, off } = controls;
  let shown: Shown = { selection: null, values: undefined };
  const to = (next: Selection) => {
    const values = next ? view.series(next.layer, next.quantity, next.unit) : undefined;
    shown = { selection: next, values };
    if (next) {
      layer.value = String(next.layer);
      quantity.value = next.quantity;
      unit.value = slider.value = String(next.unit);
      const scale = view.scale(next.layer, next.quantity, next.unit);
      strip.spans.forEach((span, i) => {
        span.style.borderBottomColor = rgb(unitColour(values![i], scale));
      });
    } else
      strip.spans.forEach((span) => {
        span.style.borderBottomColor = 'transparent';
      });
    strip.text.classList.toggle('strip', next !== null);
    off.disabled = next === null;
  };
  const fromControls = (source: HTMLInputElement) => {
    const u = Math.max(0, Math.min(view.units - 1, Number(source.value) || 0));
    to({ layer: Number(layer.value), quantity: quantity.value as UnitQuantity, unit: u });
  };
  layer.addEventListener('change', () => fromControls(unit));
  quantity.addEventListener('change', () => fromControls(unit));
  unit.addEventListener('change', () => fromControls(unit));
  slider.addEventListener('input', () => fromControls(slider));
  off.addEventListener('click', () => to(null));
  return { to, current: () => shown };
}

/** Hover (or tap, which pins it) a character: what the model expected there, and the shown unit's value. */
function tooltip(root: HTMLElement, view: InspectView, text: HTMLElement, current: () => Shown): HTMLElement {
  const tip = el('div', { className: 'tip', role: 'tooltip' });
  tip.hidden = true;
  let pinned: number | null = null;
  const show = (i: number, anchor: HTMLElement) => {
    const lines: (Node | string)[] = [el('b', { textContent: `‘${shown(view.chars[i])}’` })];
    const p = view.prob[i];
    if (p === null) lines.push(' the first character: nothing before it to predict from');
    else {
      lines.push(` p = ${p < 0.001 ? p.toExponential(2) : p.toFixed(3)}, ${view.bits[i]!.toFixed(2)} bits`);
      lines.push(
        el('br'),
        'expected: ',
        ...view.expected[i].map((e) =>
          el('span', {
            className: e.char === view.chars[i] ? 'hit' : '',
            textContent: `${shown(e.char)} ${percent(e.prob)}`,
          }),
        ),
      );
    }
    const { selection, values } = current();
    if (selection && values) {
      lines.push(
        el('br'),
        `${unitName(selection.layer, selection.unit)} ${QUANTITY_NAMES[selection.quantity]}: ${values[i].toFixed(3)}`,
      );
    }
    tip.replaceChildren(...lines);
    tip.hidden = false;
    const box = anchor.getBoundingClientRect();
    const host = root.getBoundingClientRect();
    tip.style.left = `${Math.max(0, Math.min(box.left - host.left, host.width - 320))}px`;
    tip.style.top = `${box.bottom - host.top + 6}px`;
  };
  const target = (e: Event) => (e.target as HTMLElement).closest<HTMLElement>('span.ch');
  text.addEventListener('mouseover', (e) => {
    const span = target(e);
    if (span && pinned === null) show(Number(span.dataset.i), span);
  });
  text.addEventListener('mouseleave', () => {
    if (pinned === null) tip.hidden = true;
  });
  text.addEventListener('click', (e) => {
    const span = target(e);
    if (!span) return;
    const i = Number(span.dataset.i);
    pinned = pinned === i ? null : i;
    show(i, span);
  });
  return tip;
}
