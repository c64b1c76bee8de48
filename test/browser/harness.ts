/**
 * Pages in a real browser: Debian's Chromium driven by puppeteer-core (which downloads no
 * browser of its own). Every page records what went wrong in it (console errors, uncaught
 * errors, failed requests, HTTP errors), and screenshots are judged non-blank by the
 * browser's own image decoder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** The Chromium to drive: $LSTM_CHROMIUM, else the first of the usual names on the PATH. */
export function chromiumPath(): string | undefined {
  if (process.env.LSTM_CHROMIUM) return process.env.LSTM_CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (path && existsSync(path)) return path;
    } catch {
      // not on the PATH
    }
  }
  return undefined;
}

/**
 * Whether browser tests can run here. In CI a missing browser is a failure (.ci/run installs
 * one); elsewhere the tests are skipped, saying why.
 */
export function browserAvailable(): boolean {
  const found = chromiumPath() !== undefined;
  if (!found && process.env.CI)
    throw new Error('no Chromium found for the browser tests: apt-get install chromium, or set LSTM_CHROMIUM');
  if (!found) console.warn('browser tests skipped: no Chromium (apt-get install chromium, or set LSTM_CHROMIUM)');
  return found;
}

export function launch(): Promise<Browser> {
  const root = process.getuid?.() === 0;
  return puppeteer.launch({ executablePath: chromiumPath()!, headless: true, args: root ? ['--no-sandbox'] : [] });
}

export type Watched = { page: Page; problems: string[] };

/** A new page that records every problem it meets; `url` is opened once listening. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 1000 },
): Promise<Watched> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(url);
  return { page, problems };
}

/** Waits until the page's body says `data-state` is one of `states`. */
export async function waitForState(page: Page, ...states: string[]): Promise<string> {
  await page.waitForFunction(
    (want: string[]) => want.includes(document.body.dataset.state ?? ''),
    { timeout: 60_000 },
    states,
  );
  return page.evaluate(() => document.body.dataset.state!);
}

/**
 * How many distinct colours a screenshot has, on a grid of samples, decoded by the browser
 * itself in a blank page (no image library needed). A blank page has 1.
 */
export async function colourCount(browser: Browser, png: Uint8Array): Promise<number> {
  const blank = await browser.newPage();
  try {
    return await blank.evaluate(async (base64: string) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(image.width, image.height);
      const context = canvas.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const colours = new Set<number>();
      for (let y = 0; y < image.height; y += 4) {
        const row = context.getImageData(0, y, image.width, 1).data;
        for (let x = 0; x < image.width; x += 4)
          colours.add((row[x * 4] << 16) | (row[x * 4 + 1] << 8) | row[x * 4 + 2]);
      }
      return colours.size;
    }, Buffer.from(png).toString('base64'));
  } finally {
    await blank.close();
  }
}
