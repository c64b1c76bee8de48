/**
 * The vocabulary: the sorted set of code points of the training text, each with an index.
 * It travels with every model bundle, so sampling never needs the corpus. Every vocabulary
 * is in code-point order (`byCodePoint`), a fine-tune's widened one too.
 */
import { dataError } from '../errors.js';
import { showChar } from './show.js';

/** Token ids: 16-bit while the vocabulary allows (memory stays ~2 bytes per character). */
export type Ids = Uint16Array | Uint32Array;

/** The order of every vocabulary: by code point (not UTF-16 unit, which misplaces astral characters). */
const byCodePoint = (a: string, b: string) => a.codePointAt(0)! - b.codePointAt(0)!;

/** A base model's vocabulary widened by a new text (`Vocab.union`). */
export type Union = {
  vocab: Vocab;
  /** The text's characters the base lacks, in vocabulary order. */
  added: string[];
  /** The base's characters the text lacks, in vocabulary order: kept, so the model still reads and writes them. */
  unseen: string[];
};

export class Vocab {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(chars: readonly string[]) {
    this.chars = chars;
    this.index = new Map(chars.map((c, i) => [c, i]));
    if (this.index.size !== chars.length) throw dataError('vocabulary has duplicate characters');
  }

  /** Builds the vocabulary of a text, with each character's count. */
  static fromText(text: string): { vocab: Vocab; counts: number[] } {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const chars = [...counts.keys()].sort(byCodePoint);
    return { vocab: new Vocab(chars), counts: chars.map((c) => counts.get(c)!) };
  }

  /**
   * Every character the base vocabulary `known` or the text has, in code-point order like
   * every vocabulary: a fine-tune's vocabulary. Ids change (a new character may sort
   * between known ones), so weights move by character, never by id (params.ts remapVocab).
   */
  static union(known: readonly string[], text: string): Union {
    const base = new Set(known);
    const inText = new Set(Vocab.fromText(text).vocab.chars);
    const chars = [...new Set([...known, ...inText])].sort(byCodePoint);
    return {
      vocab: new Vocab(chars),
      added: chars.filter((c) => !base.has(c)),
      unseen: chars.filter((c) => base.has(c) && !inText.has(c)),
    };
  }

  get size(): number {
    return this.chars.length;
  }

  has(ch: string): boolean {
    return this.index.has(ch);
  }

  /** Index of one character; an explicit, named error when it is not in the vocabulary. */
  id(ch: string): number {
    const i = this.index.get(ch);
    if (i === undefined) {
      throw dataError(
        `character '${showChar(ch)}' (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) is not in the vocabulary of ${this.size} characters`,
      );
    }
    return i;
  }

  char(id: number): string {
    const c = this.chars[id];
    if (c === undefined) throw dataError(`id ${id} is outside the vocabulary of ${this.size} characters`);
    return c;
  }

  /** Encodes a text into ids without materialising an array of characters. */
  encode(text: string): Ids {
    const ids = this.size <= 0x10000 ? new Uint16Array(text.length) : new Uint32Array(text.length);
    let n = 0;
    let pos = 0;
    for (const ch of text) {
      const i = this.index.get(ch);
      if (i === undefined) {
        throw dataError(
          `character '${showChar(ch)}' at character ${pos} is not in the vocabulary of ${this.size} characters`,
        );
      }
      ids[n++] = i;
      pos++;
    }
    // text.length counts UTF-16 units; astral characters take two, so trim.
    return ids.subarray(0, n) as Ids;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.char(ids[i]);
    return s;
  }

  /** The characters of `text` that are not in the vocabulary, each once, in order of appearance. */
  unknown(text: string): string[] {
    const seen = new Set<string>();
    for (const ch of text) if (!this.index.has(ch)) seen.add(ch);
    return [...seen];
  }
}
