/**
 * The one way user text becomes model input, for every text a model sees: the training
 * corpus, a generation seed, a text to evaluate or inspect. A model's own settings (e.g.
 * lowercasing) travel in its bundle and are applied here, so a seed reads the way the
 * corpus was read.
 *
 * Steps, in order: drop a byte-order mark, CRLF and lone CR become LF, NFC (so "é" typed
 * as e + combining accent is the same character as the precomposed one), strip Project
 * Gutenberg's header and license unless kept, lowercase if the model was trained so.
 */

export type TextSettings = {
  /** Lowercase everything (the model was trained with --lowercase). */
  lowercase?: boolean;
  /** Keep a Project Gutenberg header and license instead of stripping them. */
  keepBoilerplate?: boolean;
};

export type ModelText = {
  text: string;
  /** 'stripped' or 'kept' when the text is a Project Gutenberg file; 'none' otherwise. */
  boilerplate: 'stripped' | 'kept' | 'none';
};

export function toModelText(raw: string, settings: TextSettings = {}): ModelText {
  let text = normaliseLineEnds(raw.replace(/^\uFEFF/, '')).normalize('NFC');
  let boilerplate: ModelText['boilerplate'] = 'none';
  const body = gutenbergBody(text);
  if (body !== undefined) {
    if (settings.keepBoilerplate) boilerplate = 'kept';
    else {
      text = body;
      boilerplate = 'stripped';
    }
  }
  if (settings.lowercase) text = text.toLowerCase();
  return { text, boilerplate };
}

/** CRLF and lone CR become LF. */
export function normaliseLineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

// Gutenberg marker lines, e.g. `*** START OF THE PROJECT GUTENBERG EBOOK MACBETH ***`
// (older files say THIS, some indent the END line).
const START = /^[ \t]*\*{3}[ \t]*START OF (THE|THIS) PROJECT GUTENBERG[^\n]*$/im;
const END = /^[ \t]*\*{3}[ \t]*END OF (THE|THIS) PROJECT GUTENBERG[^\n]*$/im;

/**
 * The text between Project Gutenberg's `*** START OF ...` and `*** END OF ...` lines,
 * trimmed of blank lines at both ends; undefined when the markers are absent.
 */
export function gutenbergBody(text: string): string | undefined {
  const start = START.exec(text);
  if (!start) return undefined;
  const from = start.index + start[0].length;
  const rest = text.slice(from);
  const end = END.exec(rest);
  const body = end ? rest.slice(0, end.index) : rest;
  return `${body.replace(/^\n+/, '').replace(/\s+$/, '')}\n`;
}

/** What a Project Gutenberg header says of its book. */
export type GutenbergHeader = { title?: string; ebook?: number };

/**
 * The title and eBook number from the header above `*** START OF ...`: `Title: Macbeth`
 * (a long title goes on over indented lines) and `Release date: ... [eBook #1533]` (older
 * files write `[EBook #1533]` or `[Etext #1533]`; some name the book only in their first
 * line, `The Project Gutenberg eBook of Macbeth, by ...`). Undefined without the marker.
 */
export function gutenbergHeader(raw: string): GutenbergHeader | undefined {
  const start = START.exec(raw);
  if (!start) return undefined;
  const header = normaliseLineEnds(raw.slice(0, start.index).replace(/^\uFEFF/, '')).normalize('NFC');
  const ebook = /\[E-?(?:Book|text) #(\d+)\]/i.exec(header)?.[1];
  const titled = /^Title:[ \t]*(\S.*(?:\n[ \t]+\S.*)*)/m.exec(header)?.[1];
  const firstLine =
    /^[ \t]*(?:The Project Gutenberg E-?(?:Book|text) of|Project Gutenberg's)[ \t]+(.+?)(?:,[ \t]+by[ \t].*)?[ \t]*$/im.exec(
      header,
    )?.[1];
  const title = (titled ?? firstLine)?.replace(/\s+/g, ' ').trim();
  return { ...(title ? { title } : {}), ...(ebook ? { ebook: Number(ebook) } : {}) };
}
