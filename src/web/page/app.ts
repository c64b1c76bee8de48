/**
 * The `lstm web` page: loads the served bundle with TensorFlow.js (wasm, the same kernels as
 * `lstm generate`), generates as you watch with the CLI's own sampler (so a --random-seed
 * gives the CLI's text), inspects pasted text with the CLI's inspector, and draws the
 * training curves. TensorFlow.js comes as the classic scripts `lstm web` serves from
 * node_modules (globals `tf`, `tf.wasm`: scripts/build-web.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { defaults } from '../../config.js';
import { generate, type GenerateOptions } from '../../generate/generate.js';
import { described, LIMITS, PAGE_MAX_LENGTH, within } from '../../generate/limits.js';
import { seedText } from '../../generate/seed.js';
import { inspectText, type Inspection } from '../../inspect/inspection.js';
import { UNIT_QUANTITIES } from '../../inspect/surprise.js';
import { magnitude } from '../../inspect/units.js';
import { paramCount } from '../../params.js';
import { StatefulLstm } from '../../net/stateful.js';
import { drawSeed } from '../../random.js';
import { shellCommand } from '../../shell.js';
import type { LoadedModel } from '../../store/parse.js';
import { renderInspector, type InspectView } from './inspector.js';
import { loadServedModel } from './load.js';
import { checkSamples, originalityLine, uncheckedLine, type TrainingText } from '../../generate/originality.js';
import { curvesSvg, curvesTitle, lossCurves } from '../../view/curves.js';
import { bits, plural } from '../../figures.js';
import type { Session } from '../session.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const setState = (state: string) => {
  document.body.dataset.state = state;
};

/** Generation and the inspector share the network's state: one runs at a time. */
function setBusy(busy: boolean): void {
  $<HTMLButtonElement>('generate').disabled = busy;
  $<HTMLButtonElement>('inspect-button').disabled = busy;
  $<HTMLButtonElement>('stop-button').disabled = !busy || document.body.dataset.state !== 'generating';
}

/** Thrown from the emit callback to end generation early (the Stop button). */
class Stopped extends Error {}

/** The page generates at most PAGE_MAX_LENGTH characters at once (it keeps them all in the document). */
const pageLength = { ...LIMITS.length, max: PAGE_MAX_LENGTH };

/** The page's settings as the CLI reads them, and the `lstm generate` line that repeats them. */
function settings(model: LoadedModel): { options: GenerateOptions; command: string } {
  const number = (id: string) =>
    $<HTMLInputElement>(id).value.trim() === '' ? undefined : Number($<HTMLInputElement>(id).value);
  const rawSeed = $<HTMLTextAreaElement>('seed').value;
  const temperature = number('temperature') ?? defaults.temperature;
  const topK = number('top-k');
  const topP = number('top-p');
  const length = number('length') ?? defaults.length;
  // A one-line field: \n, \t and \\ stand for a line end, a tab and a backslash.
  const stop =
    $<HTMLInputElement>('stop-text').value.replace(
      /\\([nt\\])/g,
      (_, c: string) => ({ n: '\n', t: '\t', '\\': '\\' })[c]!,
    ) || undefined;
  let randomSeed = number('random-seed');
  if (randomSeed === undefined) {
    randomSeed = drawSeed();
    $<HTMLInputElement>('random-seed').value = String(randomSeed);
  }
  // The CLI's bounds (generate/limits.ts), worded for the page's fields.
  const checks: [boolean, string][] = [
    [within(LIMITS.temperature, temperature), `temperature must be ${described(LIMITS.temperature)} (0 means argmax)`],
    [topK === undefined || within(LIMITS.topK, topK), `top-k must be ${described(LIMITS.topK)}, or empty`],
    [topP === undefined || within(LIMITS.topP, topP), `top-p must be ${described(LIMITS.topP)}, or empty`],
    [within(pageLength, length), `length must be ${described(pageLength)}`],
    [within(LIMITS.randomSeed, randomSeed), `random seed must be ${described(LIMITS.randomSeed)}`],
  ];
  const failed = checks.find(([ok]) => !ok);
  if (failed) throw new Error(failed[1]);
  const seed = seedText(rawSeed, model.textSettings, model.vocab, 'error').text;
  const argv = [
    'lstm',
    'generate',
    ...(rawSeed ? ['--seed', rawSeed] : []),
    '--random-seed',
    String(randomSeed),
    '-t',
    String(temperature),
    ...(topK !== undefined ? ['--top-k', String(topK)] : []),
    ...(topP !== undefined ? ['--top-p', String(topP)] : []),
    '-n',
    String(length),
    ...(stop ? ['--stop', stop] : []),
  ];
  const command = shellCommand(argv);
  return { options: { seed, length, samples: 1, randomSeed, temperature, topK, topP, stop }, command };
}

/** The training text, fetched once when first needed (it may be megabytes). */
let training: Promise<TrainingText> | undefined;

async function showOriginality(session: Session, generated: string): Promise<void> {
  const out = $('originality');
  if (!session.corpus) {
    out.textContent = session.corpusNote ?? '';
    return;
  }
  const corpus = session.corpus;
  training ??= fetch('corpus.txt', { cache: 'no-store' }).then(async (r) => ({ ...corpus, text: await r.text() }));
  const text = await training;
  const [report] = checkSamples([generated], text);
  out.textContent = [originalityLine(report), uncheckedLine(text)].filter(Boolean).join('\n');
  out.dataset.longest = String(report.longest.length);
  out.dataset.copiedShare = String(report.copiedShare);
}

function setupGeneration(model: LoadedModel, net: StatefulLstm, session: Session): void {
  const button = $<HTMLButtonElement>('generate');
  const stopButton = $<HTMLButtonElement>('stop-button');
  const status = $('status');
  let stopping = false;
  stopButton.addEventListener('click', () => {
    stopping = true;
  });
  button.addEventListener('click', async () => {
    let run;
    try {
      run = settings(model);
    } catch (err) {
      status.textContent = (err as Error).message;
      status.className = 'status error';
      return;
    }
    const { options, command } = run;
    const seedOut = $('seed-out');
    const out = $('generated');
    seedOut.textContent = options.seed;
    out.textContent = '';
    status.className = 'status';
    status.textContent = 'generating…';
    stopping = false;
    setState('generating');
    setBusy(true);
    const started = performance.now();
    let pending = '';
    let lastPaint = started;
    let made = 0;
    try {
      await generate(net, model.vocab, options, async (chars) => {
        if (stopping) throw new Stopped();
        pending += chars[0] ?? '';
        made += chars[0] === undefined ? 0 : 1;
        // Paint every ~30 ms and give the browser a turn: text appears as it is made.
        if (performance.now() - lastPaint > 30) {
          out.append(pending); // a text node per paint: no re-copying of what is there
          pending = '';
          lastPaint = performance.now();
          await new Promise((resolve) => setTimeout(resolve));
        }
      });
      out.append(pending);
      const seconds = (performance.now() - started) / 1000;
      await showOriginality(session, out.textContent ?? '');
      status.replaceChildren(
        `${plural(made, 'character')} in ${seconds.toFixed(2)} s. The same in a terminal: `,
        Object.assign(document.createElement('code'), { textContent: command }),
      );
    } catch (err) {
      out.append(pending);
      $('originality').textContent = '';
      if (!(err instanceof Stopped)) throw err;
      status.textContent = `stopped after ${plural(made, 'character')}`;
    } finally {
      setState('done');
      setBusy(false);
    }
  });
}

/** An inspection made in this browser, as the inspector view shows it (every quantity, exact). */
function viewOf(ins: Inspection): InspectView {
  return {
    ...ins,
    layers: ins.trace.layers,
    units: ins.trace.units,
    quantities: UNIT_QUANTITIES,
    series: (l, q, u) => ins.trace.series(l, q, u),
    scale: (l, q, u) => ('ifo'.includes(q) ? 1 : magnitude(ins.trace.series(l, q, u))),
  };
}

function setupInspector(model: LoadedModel, net: StatefulLstm): void {
  const button = $<HTMLButtonElement>('inspect-button');
  const status = $('inspect-status');
  button.addEventListener('click', async () => {
    const raw = $<HTMLTextAreaElement>('inspect-text').value;
    try {
      const { text } = seedText(raw, model.textSettings, model.vocab, 'error', 'the text');
      if ([...text].length < 2) throw new Error('give at least 2 characters to inspect');
      if ([...text].length > defaults.inspect.maxPageChars)
        throw new Error(`the inspector reads at most ${defaults.inspect.maxPageChars} characters here`);
      status.className = 'status';
      status.textContent = 'reading…';
      setState('inspecting');
      setBusy(true);
      await new Promise((resolve) => setTimeout(resolve));
      const started = performance.now();
      const ins = inspectText(net, model.vocab, text, defaults.inspect.top);
      renderInspector($('inspector'), viewOf(ins));
      status.textContent = `${plural(ins.chars.length, 'character')} read in ${((performance.now() - started) / 1000).toFixed(2)} s`;
    } catch (err) {
      status.className = 'status error';
      status.textContent = (err as Error).message;
    } finally {
      setState('done');
      setBusy(false);
    }
  });
}

function describe(model: LoadedModel): void {
  const manifest = model.checkpoint.manifest;
  const best = manifest.progress.bestValLoss;
  const bpc =
    best === null
      ? ''
      : ` · best epoch ${manifest.progress.bestEpoch}: ${bits(best).toFixed(3)} bits per character held out`;
  $('model-facts').textContent =
    `${manifest.corpus.name ?? 'its text'} · vocabulary ${manifest.vocab.length} · ${manifest.network.layers} x ${manifest.network.units} LSTM · ${plural(paramCount(model.cfg), 'parameter')}${bpc}`;
}

/** The training curves from lstm.json, drawn by the code of `lstm info --plot`. */
function drawCurves(model: LoadedModel, session: Session): void {
  const manifest = model.checkpoint.manifest;
  const box = $('curves');
  if (!manifest.history.length) {
    box.textContent = 'this model records no finished epoch';
    return;
  }
  // The SVG is built from numbers and escaped text by view/curves.ts: safe to place as markup.
  box.innerHTML = curvesSvg(lossCurves(manifest), { title: curvesTitle(session.model, manifest.corpus) });
}

async function main(): Promise<void> {
  setState('loading');
  const session = (await (await fetch('session.json', { cache: 'no-store' })).json()) as Session;
  $('model-name').textContent = session.model;
  setWasmPaths(new URL('tfjs/', location.href).href);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend in this browser');
  await tf.ready();
  const model = await loadServedModel(session.model);
  const net = new StatefulLstm(model.cfg, model.params);
  describe(model);
  setupGeneration(model, net, session);
  drawCurves(model, session);
  setupInspector(model, net);
  setState('ready');
  setBusy(false);
}

main().catch((err) => {
  const status = $('status');
  status.className = 'status error';
  status.textContent = `could not load the model: ${err instanceof Error ? err.message : String(err)}`;
  setState('error');
  throw err;
});
