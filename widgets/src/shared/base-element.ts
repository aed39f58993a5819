/**
 * What every widget shares (after github/relative-time-element and catalyst's conventions):
 *
 * - attributes are the source of truth (`api-base`, `ws-url`), reflected by getters/setters and
 *   watched through `observedAttributes`; a change restarts the widget against the new endpoint;
 * - credentials are properties, never attributes (they would show in the DOM): `token`, or
 *   `tokenProvider`, an async callback asked before every request and every socket (re)connect,
 *   for hosts that refresh tokens;
 * - nothing happens in the constructor; each `connectedCallback` gets its own AbortController
 *   whose signal cancels requests, sockets, timers and listeners on disconnect;
 * - the host hears from the widget through `md-*` events only.
 */
import { ApiProblem, createApi, type Api } from './api.ts';
import { emit, type ErrorDetail } from './events.ts';
import { adoptStyles } from './styles.ts';

export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

/** The properties a host may set before the element is defined (see `upgradeProperty`). */
const CREDENTIAL_PROPERTIES = ['token', 'tokenProvider'] as const;

export abstract class WidgetElement extends HTMLElement {
  static readonly observedAttributes: string[] = ['api-base', 'ws-url'];

  #token: string | null = null;
  #tokenProvider: TokenProvider | null = null;
  #connection: AbortController | null = null;
  #api: Api | null = null;

  /** API origin, e.g. `https://mentors.example.com`. Default: the page's own origin. */
  get apiBase(): string {
    return (this.getAttribute('api-base') ?? '').replace(/\/+$/, '');
  }
  set apiBase(value: string) {
    this.setAttribute('api-base', value);
  }

  /** WebSocket endpoint. Default: `/ws` on `api-base` (ws: or wss: to match). */
  get wsUrl(): string {
    const explicit = this.getAttribute('ws-url');
    if (explicit) return explicit;
    const url = new URL(`${this.apiBase}/ws`, document.baseURI);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.href;
  }
  set wsUrl(value: string) {
    this.setAttribute('ws-url', value);
  }

  /** A bearer access token. Setting one on a signed-out widget starts it; null signs it out. */
  get token(): string | null {
    return this.#token;
  }
  set token(value: string | null) {
    const hadCredential = this.hasCredential;
    this.#token = value || null;
    if (hadCredential !== this.hasCredential) this.#restart();
  }

  /** Called before every request and socket connect; wins over `token`. */
  get tokenProvider(): TokenProvider | null {
    return this.#tokenProvider;
  }
  set tokenProvider(value: TokenProvider | null) {
    const hadCredential = this.hasCredential;
    this.#tokenProvider = typeof value === 'function' ? value : null;
    if (hadCredential !== this.hasCredential) this.#restart();
  }

  protected get hasCredential(): boolean {
    return Boolean(this.#tokenProvider || this.#token);
  }

  /** The typed API client of the current connection (valid between connect and disconnect). */
  protected get api(): Api {
    if (!this.#api) throw new Error(`${this.localName} is not connected`);
    return this.#api;
  }

  /** An app-relative link (`/room/12`, `/media/…`) as a URL on `api-base`. */
  protected resolveUrl(path: string): string {
    return new URL(path, this.apiBase ? `${this.apiBase}/` : document.baseURI).href;
  }

  protected async credential(): Promise<string | null> {
    if (this.#tokenProvider) return (await this.#tokenProvider()) || null;
    return this.#token;
  }

  connectedCallback(): void {
    for (const name of CREDENTIAL_PROPERTIES) this.#upgradeProperty(name);
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    adoptStyles(root);
    this.#start();
  }

  disconnectedCallback(): void {
    this.#stop();
  }

  attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
    if (oldValue === newValue || !this.#connection) return;
    if (this.attributeChanged(name, oldValue, newValue)) return;
    this.#restart();
  }

  /**
   * Subclasses handle attributes that do not need a restart here and return true (e.g. the
   * dashboard's `tab`). The default restarts the widget for every observed attribute.
   */
  protected attributeChanged(_name: string, _oldValue: string | null, _newValue: string | null): boolean {
    return false;
  }

  /** Starts the widget: render, load, subscribe. Everything long-lived must honour `signal`. */
  protected abstract connected(signal: AbortSignal): void;

  /** Renders the state shown while no credential is set. */
  protected abstract renderSignedOut(): void;

  #start(): void {
    const connection = new AbortController();
    this.#connection = connection;
    let unauthorized = false; // one event per connection, however many requests were refused
    this.#api = createApi({
      baseUrl: this.apiBase,
      credential: () => this.credential(),
      signal: connection.signal,
      onUnauthorized: (message) => {
        if (unauthorized) return;
        unauthorized = true;
        emit(this, 'md-unauthorized', { message });
      },
    });
    if (this.hasCredential) this.connected(connection.signal);
    else this.renderSignedOut();
  }

  #stop(): void {
    this.#connection?.abort();
    this.#connection = null;
    this.#api = null;
  }

  #restart(): void {
    if (!this.#connection) return;
    this.#stop();
    this.#start();
  }

  /** A property set on the element before its class was defined shadows our accessor: re-set it. */
  #upgradeProperty(name: (typeof CREDENTIAL_PROPERTIES)[number]): void {
    if (!Object.prototype.hasOwnProperty.call(this, name)) return;
    const value = (this as Record<string, unknown>)[name];
    delete (this as Record<string, unknown>)[name];
    (this as Record<string, unknown>)[name] = value;
  }

  /**
   * Describes a failure for the UI. Work aborted by a disconnect is not a failure (null). The host
   * hears (`md-error`) only about what the widget cannot explain in place: network failures and
   * server errors. A 4xx is shown where it happened; a 401 is `md-unauthorized`.
   */
  protected reportError(error: unknown, signal: AbortSignal): ErrorDetail | null {
    if (signal.aborted || (error instanceof DOMException && error.name === 'AbortError')) return null;
    const detail = describeError(error);
    if (detail.status === undefined || detail.status >= 500) emit(this, 'md-error', detail);
    return detail;
  }
}

export function describeError(error: unknown): ErrorDetail {
  if (error instanceof ApiProblem) return { message: error.message, status: error.status, code: error.problem.code };
  if (error instanceof TypeError) return { message: 'Could not reach the server. Check your connection and try again.' };
  return { message: error instanceof Error ? error.message : String(error) };
}
