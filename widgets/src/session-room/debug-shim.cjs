/*
 * simple-peer's `debug` logger, compiled out of the session-room bundle (`alias` in
 * scripts/build-widgets.ts): `require('debug')('simple-peer')` returns a logger that does nothing.
 * CommonJS because simple-peer calls what `require` returns.
 */
module.exports = function createDebug() {
  return function debug() {};
};
