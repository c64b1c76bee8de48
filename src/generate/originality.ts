/**
 * Writing or reciting, for the user: text/verbatim.ts's figures for each sample, with
 * the longest passage placed in the training text's files, as JSON (`generate --json`,
 * `--jsonl`) and as a line (on stderr, and in the `lstm web` page). Pure: the CLI finds
 * the training text (cli/training-text.ts), the page is served it.
 */
import { originalityOfSamples, type Span } from '../text/verbatim.js';
import { showText } from '../text/show.js';
import { count, plural } from '../figures.js';

export type TrainingText = {
  /** The texts found, as the model read them, joined by DOCUMENT_SEPARATOR. */
  text: string;
  /** The files of `text` in order: their names, and where each one's text lies in it. */
  files: { name: string; start: number; end: number }[];
  /** Texts the model learnt from that are not in `text`: a base's not found, or not given with --corpus. */
  unchecked: { name: string; learntBy: string }[];
};

/** Where a passage starting at `index` of the training text is: its file, the index in that file's text, and the line (1-based). */
function placeIn(t: TrainingText, index: number): { file: string; fileIndex: number; line: number } {
  const file = t.files.find((f) => index < f.end) ?? t.files[t.files.length - 1];
  let line = 1;
  for (let i = t.text.indexOf('\n', file.start); i >= 0 && i < index; i = t.text.indexOf('\n', i + 1)) line++;
  return { file: file.name, fileIndex: index - file.start, line };
}

export type OriginalityReport = {
  minLength: number;
  /** Generated characters checked (the seed is not: it is the user's text). */
  outputLength: number;
  /** The longest passage found in the training text; `outputIndex` counts from the first generated character; file, index in its text and line are null when there is none. */
  longest: {
    length: number;
    text: string;
    outputIndex: number;
    file: string | null;
    fileIndex: number | null;
    line: number | null;
  };
  copiedChars: number;
  copiedShare: number;
  copiedSpans: Span[];
  /** The files compared with, and those the model (or its base) learnt from that were not. */
  checked: string[];
  notChecked: string[];
};

/** Each sample's originality against the training text, in one pass over it. */
export function checkSamples(samples: readonly string[], training: TrainingText): OriginalityReport[] {
  return originalityOfSamples(samples, training.text).map(({ longest, ...figures }) => {
    const place =
      longest.length > 0 ? placeIn(training, longest.corpusIndex) : { file: null, fileIndex: null, line: null };
    return {
      minLength: figures.minLength,
      outputLength: figures.outputLength,
      longest: { length: longest.length, text: longest.text, outputIndex: longest.outputIndex, ...place },
      copiedChars: figures.copiedChars,
      copiedShare: figures.copiedShare,
      copiedSpans: figures.copiedSpans,
      checked: training.files.map((f) => f.name),
      notChecked: training.unchecked.map((u) => u.name),
    };
  });
}

/** Passages longer than this are shown cut, in the line on stderr (JSON has them whole). */
const SHOWN = 60;

/**
 * `originality: longest passage found verbatim 25 characters ("...", macbeth.txt line 333);
 * 2.3% of the output (45 of 2,000 characters) is inside passages of 20+ characters found in
 * macbeth.txt`. `sample` is given when there are several.
 */
export function originalityLine(r: OriginalityReport, sample?: number): string {
  const head = `originality${sample === undefined ? '' : ` of sample ${sample + 1}`}:`;
  const where = r.checked.length <= 3 ? r.checked.join(' or ') : `the ${r.checked.length} files checked`;
  if (r.outputLength === 0) return `${head} the output is empty`;
  if (r.longest.length === 0) return `${head} no character of the output is in ${where}`;
  const l = r.longest;
  const shown = showText(l.text.length > SHOWN ? `${l.text.slice(0, SHOWN - 1)}…` : l.text);
  const percent = `${(100 * r.copiedShare).toFixed(1)}%`;
  return (
    `${head} longest passage found verbatim ${plural(l.length, 'character')} ("${shown}", ${l.file} line ${count(l.line!)}); ` +
    `${percent} of the output (${count(r.copiedChars)} of ${plural(r.outputLength, 'character')}) is inside passages of ${r.minLength}+ characters found in ${where}`
  );
}

/** What was not checked, once after the reports: a base's text that was not found or not given. */
export function uncheckedLine(training: TrainingText): string | undefined {
  if (!training.unchecked.length) return undefined;
  const which = training.unchecked.map((u) => `${u.name}, which ${u.learntBy} learnt from`).join('; nor against ');
  // --corpus replaces the recorded files, so the hint names every text.
  const every = [...training.files, ...training.unchecked].map((t) => `--corpus path/to/${t.name}`).join(' ');
  return `originality: checked against ${training.files.map((f) => f.name).join(', ')} only, not against ${which} (to include it, give every text: ${every})`;
}
