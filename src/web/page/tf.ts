/**
 * The page's net/tf.ts (scripts/build-web.ts swaps it in): TensorFlow.js core as an ES
 * import, which the page's bundle takes from the `tf` global of TF.js's browser build.
 */
import * as tfCore from '@tensorflow/tfjs-core';

export const tf: typeof tfCore = tfCore;
