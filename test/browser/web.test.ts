/**
 * The `lstm web` page and the `lstm inspect --html` page in headless Chromium: they load with
 * no errors, the page generates exactly what `lstm generate` prints for the same model, seed
 * and settings, its inspector shows exactly `lstm inspect --json`'s numbers, and screenshots
 * are not blank.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstm, ok } from '../helpers/cli.js';
import { startWeb, type WebServer } from '../helpers/web.js';
import { browserAvailable, colourCount, launch, openPage, waitForState, type Watched } from './harness.js';

const speech =
  'MACBETH.\nIs this a dagger which I see before me,\nThe handle toward my hand? Come, let me clutch thee.\n';

describe.skipIf(!browserAvailable())('lstm web in Chromium', () => {
  let browser: Browser;
  let server: WebServer;
  let watched: Watched;
  let page: Page;

  let corpusDir: string;
  let corpus: string;

  beforeAll(async () => {
    // A stand-in training text for the originality figure (the bundled model records no path).
    corpusDir = await mkdtemp(path.join(os.tmpdir(), 'lstm-web-'));
    corpus = path.join(corpusDir, 'speeches.txt');
    await writeFile(
      corpus,
      `${speech}\nLADY MACBETH.\nWhat is the business, sir, and what is done?\n\nMACBETH.\nI have done the deed.\n`.repeat(
        3,
      ),
    );
    [browser, server] = await Promise.all([launch(), startWeb(['--corpus', corpus])]);
    watched = await openPage(browser, server.url);
    page = watched.page;
    expect(await waitForState(page, 'ready', 'error')).toBe('ready');
  });
  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
    await rm(corpusDir, { recursive: true, force: true });
  });

  it('loads the bundled model with no console errors, describes it, and draws something', async () => {
    expect(await page.$eval('#model-facts', (e) => e.textContent)).toMatch(
      /macbeth\.txt · vocabulary 76 · 2 x 300 LSTM · 1,196,476 parameters/,
    );
    expect(await colourCount(browser, await page.screenshot())).toBeGreaterThan(10);
    // The training curves, drawn from lstm.json by the code of lstm info --plot.
    const svg = await page.$eval('#curves svg', (e) => e.outerHTML);
    const info = ok(await lstm(['info', '--plot', path.join(corpusDir, 'curves.svg')]));
    expect(info).toContain('best');
    const { bestEpoch } = JSON.parse(ok(await lstm(['info', '--json']))) as { bestEpoch: number };
    expect(bestEpoch).toBeGreaterThan(1);
    expect(svg.replace(/\s+/g, ' ')).toContain(`best: epoch ${bestEpoch},`);
    expect(await readFile(path.join(corpusDir, 'curves.svg'), 'utf8')).toContain(`best: epoch ${bestEpoch},`);
    expect(watched.problems).toEqual([]);
  });

  it('runs no script injected into the page (the content security policy allows scripts from the server only)', async () => {
    const other = await openPage(browser, server.url);
    await waitForState(other.page, 'ready');
    const ran = await other.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.injected = "yes"';
      document.body.append(script);
      return document.body.dataset.injected === 'yes';
    });
    expect(ran).toBe(false);
    expect(other.problems.join('\n')).toMatch(/Content Security Policy/);
    await other.page.close();
  });

  const settings = [
    {
      name: 'the README seed at 0.8',
      seed: 'MACBETH.\n',
      randomSeed: '1',
      temperature: '0.8',
      length: '500',
      args: ['--seed', 'MACBETH.\n', '--random-seed', '1', '-t', '0.8', '-n', '500'],
    },
    {
      name: 'no seed, top-k 5, temperature 1',
      seed: '',
      randomSeed: '7',
      temperature: '1',
      topK: '5',
      length: '300',
      args: ['--random-seed', '7', '-t', '1', '--top-k', '5', '-n', '300'],
    },
    {
      name: 'argmax',
      seed: 'LADY MACBETH.\n',
      randomSeed: '3',
      temperature: '0',
      length: '200',
      args: ['--seed', 'LADY MACBETH.\n', '--random-seed', '3', '-t', '0', '-n', '200'],
    },
    {
      name: 'top-p 0.9 with a stop',
      seed: 'BANQUO.\n',
      randomSeed: '11',
      temperature: '0.9',
      topP: '0.9',
      stop: '\\n\\n',
      length: '400',
      args: [
        '--seed',
        'BANQUO.\n',
        '--random-seed',
        '11',
        '-t',
        '0.9',
        '--top-p',
        '0.9',
        '--stop',
        '\n\n',
        '-n',
        '400',
      ],
    },
  ];
  it.each(settings)('generates what lstm generate prints: $name', async (s) => {
    const fill = async (id: string, value: string) =>
      page.$eval(
        id,
        (e, v) => {
          (e as HTMLInputElement).value = v;
        },
        value,
      );
    await fill('#seed', s.seed);
    await fill('#random-seed', s.randomSeed);
    await fill('#temperature', s.temperature);
    await fill('#top-k', s.topK ?? '');
    await fill('#top-p', s.topP ?? '');
    await fill('#length', s.length);
    await fill('#stop-text', s.stop ?? '');
    await page.click('#generate');
    expect(await waitForState(page, 'done')).toBe('done');
    const inPage = await page.$eval('#generated', (e) => e.textContent);
    const cli = JSON.parse(ok(await lstm(['generate', ...s.args, '--json', '--originality', '--corpus', corpus])));
    expect(inPage).toBe(cli.samples[0]);
    // Writing or reciting: the same figures as generate --originality.
    const figures = await page.$eval('#originality', (e) => ({
      longest: Number((e as HTMLElement).dataset.longest),
      share: Number((e as HTMLElement).dataset.copiedShare),
      text: e.textContent,
    }));
    expect(figures.longest).toBe(cli.originality[0].longest.length);
    expect(figures.share).toBe(cli.originality[0].copiedShare);
    expect(figures.text).toMatch(/^originality: /);
    const status = await page.$eval('#status', (e) => e.textContent!);
    expect(status).toContain('The same in a terminal: lstm generate');
    // Reported, not asserted: timings in tests depend on the machine's load.
    if (s.length === '500') console.log(`in-browser generation: ${/^\d+ characters in [\d.]+ s/.exec(status)?.[0]}`);
    expect(watched.problems).toEqual([]);
  });

  it('stops when asked', async () => {
    await page.$eval('#length', (e) => {
      (e as HTMLInputElement).value = '100000';
    });
    await page.$eval('#stop-text', (e) => {
      (e as HTMLInputElement).value = '';
    });
    await page.click('#generate');
    await page.waitForFunction(() => (document.getElementById('generated')!.textContent ?? '').length > 50);
    await page.click('#stop-button');
    expect(await waitForState(page, 'done')).toBe('done');
    expect(await page.$eval('#status', (e) => e.textContent)).toMatch(/^stopped after [\d,]+ characters?$/); // counts are written 1,057
  });

  it("inspects pasted text with exactly lstm inspect --json's numbers, and shows the expected characters on hover", async () => {
    await page.$eval(
      '#inspect-text',
      (e, v) => {
        (e as HTMLTextAreaElement).value = v;
      },
      speech,
    );
    await page.click('#inspect-button');
    expect(await waitForState(page, 'done')).toBe('done');
    const doc = JSON.parse(ok(await lstm(['inspect', '--text', speech, '--json'])));
    const shown = await page.$$eval('#inspector .text span.ch', (spans) =>
      spans.map((s) => ({ i: Number(s.dataset.i), bits: s.dataset.bits ?? null })),
    );
    expect(shown).toHaveLength(doc.chars.length);
    for (const { i, bits } of shown) {
      if (doc.chars[i].bits === null) expect(bits).toBeNull();
      // The same network and kernels: equal but for the last bit of -log2 (Chromium's and Node's V8 may differ there).
      else expect(Number(bits)).toBeCloseTo(doc.chars[i].bits, 12);
    }
    expect(await page.$eval('#inspector .total', (e) => e.textContent)).toBe(
      `${doc.bitsPerChar.toFixed(3)} bits per character over ${doc.predicted} predicted characters`,
    );
    await page.hover('#inspector .text span.ch[data-i="12"]');
    const tip = await page.$eval('#inspector .tip', (e) => e.textContent!);
    const expected = doc.chars[12].expected.map((e: { char: string }) => (e.char === ' ' ? '␣' : e.char));
    expect(tip).toContain(`p = ${doc.chars[12].prob.toFixed(3)}`);
    for (const ch of expected) expect(tip).toContain(`${ch} `);
    expect(watched.problems).toEqual([]);
  });
});

describe.skipIf(!browserAvailable())('the lstm inspect --html page in Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await launch();
    dir = await mkdtemp(path.join(os.tmpdir(), 'lstm-page-'));
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('opens from file:// with no errors: text coloured by surprise, predictions on hover, a unit strip, units found', async () => {
    const text = speech.repeat(6);
    const file = path.join(dir, 'speech.txt');
    await writeFile(file, text);
    const pagePath = path.join(dir, 'page.html');
    ok(await lstm(['inspect', file, '--html', pagePath]));
    const doc = JSON.parse(ok(await lstm(['inspect', file, '--json'])));
    const { page, problems } = await openPage(browser, `file://${pagePath}`);
    await page.waitForSelector('#inspector .text span.ch');
    const bits = await page.$$eval('#inspector .text span.ch', (spans) => spans.map((s) => s.dataset.bits ?? null));
    expect(bits).toHaveLength(text.length);
    bits.forEach((b, i) => {
      if (doc.chars[i].bits === null) expect(b).toBeNull();
      else expect(Number(b)).toBeCloseTo(doc.chars[i].bits, 4); // a page keeps 6 significant digits
    });
    const found = await page.$$eval('#inspector .found li', (items) => items.map((li) => li.textContent));
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(
      /^(position in the line|position in the word|inside quotes|inside brackets|in an upper-case line) layer \d unit \d+, cell state \(r = -?0\.\d\d\)$/,
    );
    // The first found unit is drawn as a strip: many colours under the text.
    const strip = await page.$$eval(
      '#inspector .text span.ch',
      (spans) => new Set(spans.map((s) => s.style.borderBottomColor)).size,
    );
    expect(strip).toBeGreaterThan(5);
    // Any unit's gate: choose layer 2, output gate, unit 17.
    await page.select('#inspector select[aria-label="layer"]', '1');
    await page.select('#inspector select[aria-label="quantity"]', 'o');
    await page.$eval('#inspector input[aria-label="unit"]', (e) => {
      (e as HTMLInputElement).value = '17';
      e.dispatchEvent(new Event('change'));
    });
    await page.hover('#inspector .text span.ch[data-i="20"]');
    expect(await page.$eval('#inspector .tip', (e) => e.textContent)).toMatch(
      /expected: .*layer 2 unit 17 output gate: (0\.000|0\.500|1\.000)/,
    );
    expect(await colourCount(browser, await page.screenshot())).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });
});
