import type { TrainingText } from '../generate/originality.js';

/**
 * What the page learns from the server besides the files: the model's name, and the training
 * text's files (its text is /corpus.txt) or, when there is none, the sentence the page shows
 * instead of the originality figure (how to get it).
 */
export type Session = {
  model: string;
  corpus: Omit<TrainingText, 'text'> | null;
  corpusNote: string | null;
};
