/**
 * The vocabulary: the sorted set of code points of the training text, each with an index.
 * It travels with every model bundle, so sampling never needs the corpus.
 */
import { dataError } from '../errors.js';
import { showChar } from './show.js';

/** Token ids: 16-bit while the vocabulary allows (memory stays ~2 bytes per character). */
export type Ids = Uint16Array | Uint32Array;

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
    const chars = [...counts.keys()].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return { vocab: new Vocab(chars), counts: chars.map((c) => counts.get(c)!) };
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
