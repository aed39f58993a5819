/*
 * `randombytes(n)` for simple-peer 9, which only reads it as hex (its debug id and the data channel
 * name): the Web Crypto API instead of the `randombytes` package and the `buffer`/`safe-buffer` it
 * pulls in (esbuild `alias` in scripts/build-widgets.ts). CommonJS because simple-peer calls what
 * `require` returns.
 */
module.exports = function randomBytes(size) {
  const bytes = crypto.getRandomValues(new Uint8Array(size));
  return {
    toString(encoding) {
      if (encoding !== 'hex') throw new Error(`randombytes shim: only hex is supported, not ${encoding}`);
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    },
  };
};
