/*
 * readable-stream's `string_decoder`, left out of the session-room bundle (`alias` in
 * scripts/build-widgets.ts): it is only loaded by `setEncoding()`, which nothing here calls (the
 * room reads simple-peer's data channel in object mode, as strings).
 */
module.exports = {
  StringDecoder: function StringDecoder() {
    throw new Error('string_decoder is not bundled with <session-room>: read data channel messages in object mode');
  },
};
