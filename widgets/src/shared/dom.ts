/**
 * A tiny element builder. Strings always become text nodes: user data (titles, messages, names)
 * can never be parsed as HTML because nothing in the widgets ever assigns `innerHTML`.
 *
 *   h('button', { class: 'btn', onclick: save }, 'Save')
 */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Handlers = { [K in keyof HTMLElementEventMap as `on${K}`]?: (event: HTMLElementEventMap[K]) => void };

/** Attributes (strings, numbers, booleans), `on<event>` listeners, and the live `value`/`checked`. */
export type Props = Handlers & { [name: string]: unknown };

/** Set as properties, because the attribute only holds the initial (default) value. */
const LIVE_PROPERTIES = new Set(['value', 'checked', 'selected']);

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

function applyProps(el: Element, props: Props | null | undefined): void {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value as EventListener);
    } else if (LIVE_PROPERTIES.has(name)) {
      (el as unknown as Record<string, unknown>)[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  // Children first: a <select>'s `value` can only pick an option that already exists.
  append(el, children);
  applyProps(el, props);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  append(el, children);
  applyProps(el, props);
  return el;
}

/** Replaces an element's content with the given children. */
export function render(parent: Element | ShadowRoot, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let idCounter = 0;
/** A document-unique id for label/aria wiring inside a shadow root. */
export function uid(prefix: string): string {
  return `${prefix}-${(++idCounter).toString(36)}`;
}
