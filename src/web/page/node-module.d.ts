// What the page's type check needs to know of Node's `node:module` to read net/tf.ts, which
// the page's bundle replaces with ./tf.ts (scripts/build-web.ts): the page never calls it.
declare module 'node:module' {
  export function createRequire(url: string | URL): ((id: string) => never) & { resolve(id: string): string };
}
