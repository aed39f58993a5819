/** The mentor directory: `GET /api/mentors/`, searched and paged. */
import { unwrap } from '../../shared/api.ts';
import { h, render, uid } from '../../shared/dom.ts';
import type { BookingContext } from '../context.ts';
import { empty, heading, loadInto } from '../ui.ts';
import { mentorCard } from './profile.ts';

const PAGE_SIZE = 12;

export class DirectoryView {
  readonly #ctx: BookingContext;
  readonly #results = h('div', { class: 'flex flex-col gap-3', 'aria-live': 'polite' });
  #search = '';
  #page = 1;

  constructor(ctx: BookingContext) {
    this.#ctx = ctx;
  }

  render(into: HTMLElement): void {
    const id = uid('mb-search');
    const box = h('input', { id, type: 'search', name: 'search', class: 'field-input w-full min-w-0', maxlength: 100, autocomplete: 'off', placeholder: 'Name, topic or skill' });
    const form = h(
      'form',
      {
        role: 'search',
        'aria-label': 'Mentor search',
        class: 'flex flex-wrap items-end gap-2',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault();
          this.#search = box.value.trim();
          this.#page = 1;
          this.#load();
        },
      },
      h('div', { class: 'flex min-w-0 flex-1 basis-48 flex-col gap-1' }, h('label', { for: id, class: 'text-sm font-medium' }, 'Search mentors'), box),
      h('button', { type: 'submit', class: 'btn btn-primary' }, 'Search'),
    );
    render(into, h('section', { part: 'directory', class: 'flex flex-col gap-4 min-w-0' }, heading(this.#ctx.headingLevel, 'Find a mentor'), form, this.#results));
    this.#load();
  }

  #load(): void {
    const { api, signal, fail, headingLevel } = this.#ctx;
    loadInto(this.#results, 'mentors', signal, fail, async () => {
      const query = { page: this.#page, page_size: PAGE_SIZE, ...(this.#search ? { search: this.#search } : {}) };
      const page = await unwrap(api.GET('/api/mentors/', { params: { query } }));
      if (!page.results.length) return empty(this.#search ? `No mentor matches “${this.#search}”.` : 'No mentors yet.');
      const pages = Math.max(1, Math.ceil(page.count / PAGE_SIZE));
      const go = (delta: number) => {
        this.#page += delta;
        this.#load();
      };
      return [
        h('p', { class: 'text-sm text-ink-muted' }, `${page.count} mentor${page.count === 1 ? '' : 's'}`),
        h('ul', { class: 'grid grid-cols-1 gap-3 @min-[40rem]:grid-cols-2', 'aria-label': 'Mentors' }, page.results.map((m) => mentorCard(m, this.#ctx, headingLevel + 1, false))),
        pages > 1 &&
          h(
            'nav',
            { 'aria-label': 'Mentor pages', class: 'flex flex-wrap items-center gap-2' },
            h('button', { type: 'button', class: 'btn btn-secondary', disabled: !page.previous, onclick: () => go(-1) }, 'Previous'),
            h('span', { class: 'text-sm' }, `Page ${this.#page} of ${pages}`),
            h('button', { type: 'button', class: 'btn btn-secondary', disabled: !page.next, onclick: () => go(1) }, 'Next'),
          ),
      ];
    });
  }
}
