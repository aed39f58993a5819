/**
 * Redoc's standalone bundle as `/docs` loads it. Its one request to another origin, the Redocly
 * logo in the sidebar (`cdn.redoc.ly`, which the CSP blocks anyway: an error on every load), is
 * pointed at an inline image instead, so the page makes same-origin requests only.
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const REDOC_BUNDLE_PATH = require.resolve('redoc/bundles/redoc.standalone.js');
const CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const INLINE_LOGO = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";

let bundle: Promise<string> | undefined;

export function redocBundle(): Promise<string> {
  bundle ??= fs.readFile(REDOC_BUNDLE_PATH, 'utf8').then((text) => text.replaceAll(CDN_LOGO, INLINE_LOGO));
  return bundle;
}
