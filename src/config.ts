/**
 * Every default of `lstm`, once. Help texts, the CLI and the core read them from here.
 * The model defaults are the product's design: 2 stacked LSTM layers of 300 units,
 * dropout 0.2, 50-character windows with sequence targets (char-rnn style).
 */
export const TOOL_NAME = 'lstm';
export const TOOL_VERSION = '0.1.0';

/** A text to start with, fetched as the README's quick start does: offered where a text is missing or empty. */
export const SAMPLE_TEXT = 'curl -L -o macbeth.txt https://www.gutenberg.org/cache/epub/1533/pg1533.txt';

/** Bundle format version written to lstm.json; loading refuses any other. */
export const FORMAT_VERSION = 1;

export const defaults = {
  // data
  seqLength: 50,
  valFraction: 0.1,
  batchSize: 64,
  /**
   * Train on contiguous streams with the LSTM state carried across batches (truncated
   * backpropagation through time, `--stateful`), or on shuffled independent windows from a
   * zero state. Measured (README, Performance): shuffled windows trained better models on
   * Macbeth (2.217 vs 2.263 bits per character read as streams) and on 120k characters of
   * README files (2.866 vs 2.921 after 12 minutes each), even judged as generation reads.
   */
  stateful: false,
  randomSeed: 42,
  // network
  layers: 2,
  units: 300,
  dropout: 0.2,
  /**
   * One dropout mask per sequence instead of per step (net/dropout.ts). Measured (docs/training.md,
   * 4 minutes each on tensorflow): Macbeth 2.233 / 2.291 against 2.232 / 2.298 bits per character
   * (streams / cold), 600k characters of English prose 2.650 / 2.708 against 2.676 / 2.734.
   */
  variationalDropout: true,
  /**
   * DropConnect on the recurrent weights (net/dropout.ts), this rate; 0: off. Measured at 0.3
   * (docs/training.md): worse at equal time on both texts (Macbeth 2.301 / 2.358, English 2.815 / 2.860).
   */
  weightDrop: 0,
  // optimisation
  /**
   * The decay of an exponential moving average of the weights (net/adam.ts), the model saved;
   * 0: off. Measured (docs/training.md): Macbeth 2.221 / 2.290, English 2.654 / 2.726.
   */
  ema: 0.999,
  lr: 2e-3,
  // char-rnn style decay: lr * lrDecay^(epoch - lrDecayAfter) once past lrDecayAfter; 1 = constant
  lrDecay: 1,
  lrDecayAfter: 10,
  /** Halve the learning rate after this many epochs in a row without a better validation loss (0: never). */
  lrPlateau: 2,
  clip: 5,
  epochs: 100,
  /** The epoch limit when only --max-time is given: time and early stopping decide. */
  epochsUntilTime: 10_000,
  patience: 5,
  /**
   * What a validation must gain on the last one early stopping counted, in bits per character,
   * to count as better for --patience (Keras's min_delta): a run whose weight average creeps
   * down by a thousandth of a bit an epoch has stopped learning. The best checkpoint still
   * follows every gain.
   */
  minGain: 0.005,
  keep: 3,
  /** Validate and checkpoint inside an epoch this often (a big text's epoch takes hours; Macbeth's, seconds). */
  evalEvery: '10m',
  /** Validation windows scored during training; a larger held-out part is sampled (a full pass ends training). */
  valSampleWindows: 1024,
  // per-epoch sample while training
  sampleLength: 200,
  /** Per-epoch samples start a new line, as a speech would. */
  samplePrompt: '\n',
  sampleTemperature: 0.8,
  // generation
  length: 500,
  temperature: 0.8,
  samples: 1,
  examples: 3,
  /**
   * `generate --originality` counts a passage as copied from the training text when at least
   * this many characters of it occur there verbatim: about four words, longer than the stock
   * phrases any fluent text shares with its source ("I know not what", "my good lord"), short
   * enough to catch a recited line.
   */
  copiedMinLength: 20,
  /**
   * A small text for its network (training characters under a quarter of the parameters,
   * e.g. Macbeth's 93k for 2x300's 1.2M) overfits at the defaults above; a new run without
   * --dropout, --batch-size or --lr takes these instead (measured on Macbeth from scratch:
   * dropout 0.2 stopped at 2.344 bits per character, these reach 2.26; tinyshakespeare's 1M
   * characters keep the defaults).
   */
  smallText: {
    charsPerParam: 0.25,
    dropout: 0.5,
    batchSize: 32,
    lr: 3e-3,
    /**
     * A small text that the bundled base a run starts from already reads well (its held-out
     * sample at under `maxBaseBits` bits a character, train/transfer.ts): gentler steps from
     * the base's weights instead. At equal time (5 minutes, docs/training.md) they won on
     * Macbeth (base 2.85 bits: 1.911 against 1.958 read as streams) and on tiny-shakespeare's
     * tail (2.67: 2.024 against 2.115), and lost on English prose (3.76: 2.458 against 2.424)
     * and German (5.91: 2.328 against 2.234); 3.3 is halfway between the nearest two.
     */
    familiar: { maxBaseBits: 3.3, dropout: 0.2, lr: 5e-4 },
  },
  /**
   * A new run without --from starts from a bundled base (train/transfer.ts) that knows at
   * least `minKnownShare` of the text's characters: starting from bundled/shakespeare beat
   * training from scratch at equal time on every text measured, down to English spelt in
   * Greek letters, of whose characters it knows 21.7%; below that it is untested. How well
   * the base predicts the first `sampleChars` of the held-out part is measured and said; it
   * does not decide whether to start from the base (on German and on source code it predicts
   * worse than an untrained network, and starting from it was still far better), only a small
   * text's recipe (`smallText.familiar`; docs/training.md, "Starting from a base").
   */
  transfer: { sampleChars: 5000, minKnownShare: 0.2 },
  /**
   * `lstm inspect`: the longest text it reads (each character costs a stateful step and a
   * line of output), the longest a page holds (it keeps every unit's five values per
   * character: ~0.5 MB per 1,000 characters of a 2x300 model), and how many expected
   * characters it lists per position.
   */
  inspect: { maxChars: 100_000, maxPageChars: 5_000, top: 5 },
  /** Worker threads default to one per core, up to this many. */
  maxWorkers: 8,
} as const;

/** How many leading bytes are checked for a NUL when deciding a file is binary. */
export const BINARY_SNIFF_BYTES = 8192;

/**
 * The character between documents when several files are trained on as one corpus: a form
 * feed (U+000C, a page break). Prose does not contain it (a file that does is refused when it
 * is one of several), and printed it is at most a page break, so the model learns where one
 * text ends and the next begins without a marker that could be mistaken for text.
 */
export const DOCUMENT_SEPARATOR = '\f';
/** How messages name it. */
export const DOCUMENT_SEPARATOR_NAME = 'form feed (U+000C)';

/** Where the bundled model lives, relative to the package root. */
export const DEFAULT_MODEL_DIR = 'bundled/macbeth';

/** A batch loss above this many times max(ln V, the first epoch's train loss), or NaN, aborts training (char-rnn uses 3x the initial loss). */
export const EXPLODING_LOSS_FACTOR = 3;

export type Hyperparameters = {
  seqLength: number;
  batchSize: number;
  valFraction: number;
  layers: number;
  units: number;
  dropout: number;
  lr: number;
  lrDecay: number;
  lrDecayAfter: number;
  clip: number;
  /**
   * Absent in bundles from before stateful training: false, and such a bundle's validation
   * keeps choosing its best by cold windows (every later run is judged read as streams).
   */
  stateful?: boolean;
  /** Absent in bundles from before the plateau schedule: 0 (off). */
  lrPlateau?: number;
  /** Absent in bundles from before it: false (a mask per step). */
  variationalDropout?: boolean;
  /** Absent in bundles from before it: 0 (off). */
  weightDrop?: number;
  /** Absent in bundles from before it: 0 (no weight average). */
  ema?: number;
  lowercase: boolean;
  randomSeed: number;
};
