/**
 * The room's chat: the messages (history from `room_state`, caught up over REST, live `chat`
 * broadcasts), kept in id order without duplicates, and the form that sends new ones over the
 * socket. Bodies and names are set as text.
 */
import type { Schema } from '../shared/api.ts';
import { h, render, uid } from '../shared/dom.ts';
import { formatDateTime, fullName } from '../shared/format.ts';
import { sendIcon } from './icons.ts';

export type ChatMessage = Schema<'ChatMessage'>;

export interface ChatPanelOptions {
  /** The signed-in user (their messages are labelled "You"). */
  me: number;
  headingLevel: number;
  /** Sends a body over the socket; returns the message id to await an `ack` for, or null when offline. */
  send(body: string): string | null;
}

const BODY_MAX = 2000;
const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

export class ChatPanel {
  readonly root: HTMLElement;
  readonly #options: ChatPanelOptions;
  readonly #messages = new Map<number, ChatMessage>();
  /** Sent, not yet acknowledged: message id → body (put back in the input if refused). */
  readonly #pending = new Map<string, string>();
  readonly #log: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #input: HTMLInputElement;
  readonly #submit: HTMLButtonElement;
  readonly #error: HTMLElement;

  constructor(options: ChatPanelOptions) {
    this.#options = options;
    const ids = { heading: uid('md-chat-heading'), input: uid('md-chat-input') };
    const level = Math.min(6, options.headingLevel);
    this.#list = h('ol', { class: 'flex flex-col gap-3' });
    // The log announces new messages politely; it scrolls, so it takes keyboard focus too.
    this.#log = h(
      'div',
      { class: 'flex-1 min-h-40 max-h-80 @4xl:max-h-[32rem] overflow-y-auto p-3', role: 'log', 'aria-labelledby': ids.heading, tabindex: '0' },
      this.#list,
    );
    this.#input = h('input', {
      id: ids.input,
      class: 'field-input flex-1 min-w-0',
      maxlength: BODY_MAX,
      autocomplete: 'off',
      placeholder: 'Write a message',
    });
    this.#submit = h('button', { type: 'submit', class: 'btn btn-primary' }, sendIcon(), 'Send');
    this.#error = h('p', { class: 'px-3 pb-2 text-sm text-danger', role: 'alert' });
    this.root = h(
      'section',
      { part: 'chat', class: 'card flex flex-col min-w-0 min-h-0', 'aria-labelledby': ids.heading },
      h(`h${level}` as 'h3', { id: ids.heading, class: 'px-3 pt-3 text-base font-semibold' }, 'Chat'),
      this.#log,
      this.#error,
      h(
        'form',
        { class: 'flex gap-2 border-t border-line p-3', onsubmit: (event: SubmitEvent) => this.#onSubmit(event) },
        h('label', { for: ids.input, class: 'sr-only' }, 'Message'),
        this.#input,
        this.#submit,
      ),
    );
    this.#renderList();
  }

  /** The highest message id shown (0 when none), for catching up with `?after=`. */
  get lastId(): number {
    return Math.max(0, ...this.#messages.keys());
  }

  add(messages: readonly ChatMessage[]): void {
    if (!messages.length) return;
    const log = this.#log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    for (const message of messages) this.#messages.set(message.id, message);
    this.#renderList();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  /** Sending needs a joined room: off while (re)joining, with the reason shown. */
  setEnabled(enabled: boolean, reason = ''): void {
    this.#submit.disabled = !enabled;
    this.#submit.title = enabled ? '' : reason;
  }

  /** The server stored message `ref`. */
  acknowledged(ref: string): void {
    this.#pending.delete(ref);
  }

  /** The server refused message `ref` (too fast, invalid, …): say why and give the text back. */
  refused(ref: string, reason: string): void {
    const body = this.#pending.get(ref);
    if (body === undefined) return;
    this.#pending.delete(ref);
    if (!this.#input.value) this.#input.value = body;
    this.#error.textContent = reason;
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const body = this.#input.value.trim();
    if (!body) return;
    const ref = this.#options.send(body);
    if (ref === null) {
      this.#error.textContent = 'Not connected: your message was not sent. It will be possible again once the connection is back.';
      return;
    }
    this.#pending.set(ref, body);
    this.#error.textContent = '';
    this.#input.value = '';
  }

  #renderList(): void {
    const messages = [...this.#messages.values()].sort((a, b) => a.id - b.id);
    if (!messages.length) {
      render(this.#list, h('li', { class: 'text-sm text-ink-muted' }, 'No messages yet. Say hello!'));
      return;
    }
    render(
      this.#list,
      messages.map((m) =>
        h(
          'li',
          { part: 'chat-message', class: 'min-w-0', 'data-id': m.id, 'data-sender': m.sender },
          h(
            'p',
            { class: 'text-xs text-ink-muted' },
            h('span', { class: 'font-semibold text-ink' }, m.sender === this.#options.me ? 'You' : fullName(m.sender_summary)),
            ' · ',
            h('time', { datetime: m.created_at, title: formatDateTime(m.created_at) }, timeOfDay.format(new Date(m.created_at))),
          ),
          h('p', { class: 'text-sm whitespace-pre-wrap break-words' }, m.body),
        ),
      ),
    );
  }
}
