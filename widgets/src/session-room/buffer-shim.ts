/**
 * simple-peer 9's one use of `buffer`: `Buffer.from(arrayBuffer)` for a binary data channel
 * message. A `Uint8Array` view does that without the 25 KiB `buffer` package (esbuild aliases
 * `buffer` to this file in the session-room bundle only, scripts/build-widgets.ts).
 */
export const Buffer = {
  from(data: ArrayBuffer | ArrayLike<number>): Uint8Array {
    return data instanceof ArrayBuffer ? new Uint8Array(data) : Uint8Array.from(data);
  },
};
