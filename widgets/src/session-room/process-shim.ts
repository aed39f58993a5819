/**
 * The `process` global that simple-peer 9's Node-style dependencies (readable-stream, debug)
 * expect. esbuild injects it into the session-room bundle only (`inject` in
 * scripts/build-widgets.ts): each free `process` there refers to this object, and nothing is
 * added to the page's globals.
 */
export const process = {
  browser: true,
  env: {} as Record<string, string | undefined>,
  version: '',
  versions: {},
  nextTick(callback: (...args: unknown[]) => void, ...args: unknown[]): void {
    queueMicrotask(() => callback(...args));
  },
};
