export * from './corpus.js';
export * from './vocab.js';
export * from './windows.js';
export * from './random.js';
export * from './show.js';
