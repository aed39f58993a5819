/**
 * One constructable stylesheet per bundle, created on first use and adopted by every shadow root
 * of that bundle: the CSS is parsed once however many elements a page holds.
 */
import css from '../styles.css';

let sheet: CSSStyleSheet | undefined;

export function adoptStyles(root: ShadowRoot): void {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
