/**
 * Sessions: the mentor's sessions, by default the upcoming ones (in progress first, then the
 * soonest), a page at a time with "Show more"; the create/edit form (the API's field errors beside
 * the fields), live participant counts from `session_{id}`, "I'm Ready" (disabled, saying when it
 * opens, until the readiness window opens), "Start Class" once a learner is ready too, and who
 * came to a class (attendance, ./attendance.ts) once it has started. The forms are in ./session-form.ts.
 */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, render, uid } from '../../shared/dom.ts';
import { opensAt } from '../../shared/format.ts';
import type { SessionUpdate } from '../../shared/protocol.ts';
import type { DashboardContext, DashboardTab } from '../context.ts';
import { clearErrors, select, showErrors } from '../forms.ts';
import { empty, failure, loading, sectionHeading, statusLabel } from '../ui.ts';
import { toggleAttendance } from './attendance.ts';
import { cancelForm, sessionForm } from './session-form.ts';
import { sessionSummary } from './session-summary.ts';

type Session = Schema<'Session'>;
type SessionStatus = Schema<'SessionStatus'>;
/** `upcoming`: in progress, then scheduled soonest first; `''`: every status, latest first. */
type Filter = SessionStatus | '' | 'upcoming';

const STATUSES: SessionStatus[] = ['draft', 'scheduled', 'in_progress', 'completed', 'cancelled'];
const PAGE_SIZE = 20;
/** Past sessions are listed latest first, plans soonest first. */
const LATEST_FIRST: ReadonlySet<Filter> = new Set(['', 'completed', 'cancelled']);
/** How often "Opens 11:30 (in 5 minutes)" is brought up to date. */
const CLOCK_MS = 30_000;
/** Subscriptions confirmed within this window are reconciled with one request. */
const RECONCILE_DELAY_MS = 200;

/** Whether `next` describes the session as it was before `shown` (every change moves `updated_at`). */
const olderThan = (next: Session, shown: Session) => Date.parse(next.updated_at) < Date.parse(shown.updated_at);
/** Sessions whose participant count or readiness can still change. */
const LIVE_STATUSES: ReadonlySet<SessionStatus> = new Set(['scheduled', 'in_progress']);

export class SessionsTab implements DashboardTab {
  readonly id = 'sessions';
  readonly label = 'Sessions';
  readonly #ctx: DashboardContext;
  #status: Filter = 'upcoming';
  #sessions: Session[] = [];
  /** Pages of the current filter shown so far, and whether there are more. */
  #pages = 0;
  #hasMore = false;
  #list: HTMLElement | null = null;
  #more: HTMLElement | null = null;
  #filterSelect: HTMLSelectElement | null = null;
  #formSlot: HTMLElement | null = null;
  #signal: AbortSignal | null = null;
  #reconcileTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(ctx: DashboardContext) {
    this.#ctx = ctx;
  }

  show(panel: HTMLElement, target: string | undefined, signal: AbortSignal): void {
    this.#signal = signal;
    const clock = setInterval(() => this.#tick(), CLOCK_MS);
    signal.addEventListener('abort', () => {
      this.#ctx.realtime.setChannels([]);
      clearTimeout(this.#reconcileTimer);
      clearInterval(clock);
    }, { once: true });
    const filter = select({ 'aria-label': 'Show', class: 'field-input w-auto', onchange: (e: Event) => this.#filter(e) }, [
      ['upcoming', 'Upcoming'],
      ['', 'All, latest first'],
      ...STATUSES.map((s): [string, string] => [s, statusLabel(s)]),
    ]);
    filter.value = this.#status;
    this.#filterSelect = filter;
    this.#formSlot = h('div');
    this.#list = h('div');
    this.#more = h('div', { class: 'mt-3 flex justify-center' });
    // "Create Session" is the dashboard's header button: one way to create, not two.
    render(panel, sectionHeading('Sessions', filter), this.#formSlot, this.#list, this.#more);
    if (target === 'new') this.#openForm(null);
    void this.#load(target && /^\d+$/.test(target) ? Number(target) : undefined);
  }

  onSessionUpdate(update: SessionUpdate): void {
    const index = this.#sessions.findIndex((s) => s.id === update.sessionId);
    const current = this.#sessions[index];
    if (!current) return;
    if (update.session) {
      if (olderThan(update.session, current)) return;
      this.#sessions[index] = update.session;
      this.#replaceRow(update.session);
    } else if (update.participantCount !== undefined) {
      const count = update.participantCount;
      this.#sessions[index] = { ...current, participant_count: count, spots_left: Math.max(0, current.capacity - count) };
      this.#replaceRow(this.#sessions[index]!);
    }
  }

  /**
   * A change between loading the list and the server confirming a `session_{id}` subscription
   * (after the first load, or again after a reconnect) is never pushed: once the subscriptions
   * settle, the list is fetched again and the rows that changed are redrawn.
   */
  onSubscribed(channel: string): void {
    const signal = this.#signal;
    if (!signal || signal.aborted || !channel.startsWith('session_')) return;
    clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = setTimeout(() => void this.#reconcile(signal), RECONCILE_DELAY_MS);
  }

  async #reconcile(signal: AbortSignal): Promise<void> {
    try {
      const pages = await Promise.all(Array.from({ length: Math.max(1, this.#pages) }, (_, i) => this.#fetchPage(i + 1)));
      if (signal.aborted) return;
      const fresh = new Map(pages.flatMap((page) => page.results).map((s) => [s.id, s]));
      this.#sessions = this.#sessions.map((shown) => {
        const latest = fresh.get(shown.id);
        // A page fetched before an action of ours was answered must not undo what it shows.
        if (!latest || olderThan(latest, shown) || JSON.stringify(latest) === JSON.stringify(shown)) return shown;
        this.#replaceRow(latest);
        return latest;
      });
    } catch (error) {
      if (!signal.aborted) this.#ctx.fail(error);
    }
  }

  /**
   * One page of the current filter. "Upcoming" pages through the scheduled sessions (soonest
   * first); its first page also carries every session in progress, ahead of them.
   */
  async #fetchPage(page: number): Promise<{ results: Session[]; more: boolean }> {
    const filter = this.#status;
    const status = filter === 'upcoming' ? 'scheduled' : filter || undefined;
    const order = LATEST_FIRST.has(filter) ? '-start_time' : 'start_time';
    const get = (query: { status?: SessionStatus; order: 'start_time' | '-start_time'; page: number; page_size: number }) =>
      unwrap(this.#ctx.api.GET('/api/sessions/', { params: { query } }));
    const [current, live] = await Promise.all([
      get({ ...(status ? { status } : {}), order, page, page_size: PAGE_SIZE }),
      filter === 'upcoming' && page === 1 ? get({ status: 'in_progress', order, page: 1, page_size: 100 }) : null,
    ]);
    return { results: [...(live?.results ?? []), ...current.results], more: current.next !== null };
  }

  #filter(event: Event): void {
    this.#status = (event.target as HTMLSelectElement).value as Filter;
    void this.#load();
  }

  /** Loads the first page; `highlight` is a session to show and focus (added on top if not on it). */
  async #load(highlight?: Session | number): Promise<void> {
    const list = this.#list;
    const signal = this.#signal;
    if (!list || !signal) return;
    render(list, loading('sessions'));
    if (this.#more) render(this.#more);
    try {
      const page = await this.#fetchPage(1);
      if (signal.aborted) return;
      this.#sessions = page.results;
      this.#pages = 1;
      this.#hasMore = page.more;
      if (typeof highlight === 'object' && !this.#sessions.some((s) => s.id === highlight.id)) this.#sessions.unshift(highlight);
      this.#renderList();
      if (highlight !== undefined) this.#highlight(typeof highlight === 'object' ? highlight.id : highlight);
    } catch (error) {
      const message = signal.aborted ? null : this.#ctx.fail(error);
      if (message) render(list, failure(message, () => void this.#load(highlight)));
    }
  }

  async #loadMore(trigger: HTMLButtonElement): Promise<void> {
    const signal = this.#signal;
    if (!signal) return;
    trigger.disabled = true;
    try {
      const page = await this.#fetchPage(this.#pages + 1);
      if (signal.aborted) return;
      const known = new Set(this.#sessions.map((s) => s.id));
      const added = page.results.filter((s) => !known.has(s.id));
      this.#sessions.push(...added);
      this.#pages += 1;
      this.#hasMore = page.more;
      this.#renderList();
      this.#list?.querySelector<HTMLElement>(`[data-session-id="${added[0]?.id}"] h3`)?.focus();
    } catch (error) {
      trigger.disabled = false;
      const message = signal.aborted ? null : this.#ctx.fail(error);
      if (message) this.#ctx.announce(message);
    }
  }

  /** Brings "Opens 11:30 (in 5 minutes)" up to date, and enables "I'm Ready" once it is open. */
  #tick(): void {
    for (const hint of this.#list?.querySelectorAll<HTMLElement>('[data-opens]') ?? []) {
      const opens = hint.dataset.opens!;
      if (Date.now() < Date.parse(opens)) {
        hint.textContent = opensAt(opens);
        continue;
      }
      const button = hint.parentElement?.querySelector<HTMLButtonElement>('[data-action="ready"]');
      if (button) {
        button.disabled = false;
        button.removeAttribute('aria-describedby');
      }
      hint.remove();
    }
  }

  #renderList(): void {
    if (!this.#list) return;
    this.#ctx.realtime.setChannels(this.#sessions.filter((s) => LIVE_STATUSES.has(s.status)).map((s) => `session_${s.id}`));
    if (this.#more) {
      render(
        this.#more,
        this.#hasMore && h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': 'more', onclick: (e: MouseEvent) => void this.#loadMore(e.currentTarget as HTMLButtonElement) }, 'Show more'),
      );
    }
    if (!this.#sessions.length) {
      const none =
        this.#status === 'upcoming' ? 'No upcoming sessions. Create one with “Create Session”.'
        : this.#status ? `No ${statusLabel(this.#status).toLowerCase()} sessions.`
        : 'No sessions yet. Create your first one.';
      render(this.#list, empty(none));
      return;
    }
    render(this.#list, h('ul', { class: 'flex flex-col gap-3', 'aria-label': 'Sessions' }, this.#sessions.map((s) => this.#row(s))));
  }

  #replaceRow(session: Session): void {
    const old = this.#list?.querySelector(`[data-session-id="${session.id}"]`);
    if (!old) return;
    const hadFocus = old.matches(':focus-within');
    const row = this.#row(session);
    old.replaceWith(row);
    if (hadFocus) row.querySelector<HTMLElement>('h3')?.focus();
  }

  #row(s: Session): HTMLLIElement {
    const actionSlot = h('div', { class: 'flex flex-wrap items-center gap-2 @min-[40rem]:max-w-[50%] @min-[40rem]:justify-end' }, this.#actions(s));
    // The card is a column: its summary row first, then any message or form an action adds
    // (appended to the card), so they never squeeze the title beside them.
    return h(
      'li',
      { class: 'card p-4 flex flex-col gap-3', 'data-session-id': s.id, part: 'session' },
      h(
        'div',
        { class: 'session-row flex flex-col gap-3 @min-[40rem]:flex-row @min-[40rem]:items-start' },
        sessionSummary(s),
        actionSlot,
      ),
    );
  }

  #actions(s: Session): HTMLElement[] {
    const button = (label: string, cls: string, action: string, onclick: (event: MouseEvent) => void) =>
      h('button', { type: 'button', class: `btn ${cls}`, 'data-action': action, onclick }, label);
    const actions: HTMLElement[] = [];
    const editable = s.status === 'draft' || s.status === 'scheduled';
    if (s.status === 'scheduled' && s.can_start) {
      actions.push(button('Start Class', 'btn-primary', 'start', (e) => this.#start(s, e.currentTarget as HTMLButtonElement)));
    }
    if (s.status === 'in_progress') actions.push(button('Join class', 'btn-primary', 'join', () => this.#ctx.navigate(`/room/${s.id}`)));
    if (s.status === 'scheduled' && !s.mentor_ready) {
      const ready = button("I'm Ready", 'btn-secondary', 'ready', (e) => this.#ready(s, e.currentTarget as HTMLButtonElement));
      actions.push(ready);
      if (Date.now() < Date.parse(s.ready_opens_at)) {
        // Too early: say when it opens (in the viewer's time zone) rather than let the API refuse.
        const hint = h('span', { id: uid('md-opens'), class: 'text-sm text-ink-muted', 'data-opens': s.ready_opens_at }, opensAt(s.ready_opens_at));
        ready.disabled = true;
        ready.setAttribute('aria-describedby', hint.id);
        actions.push(hint);
      }
    }
    if (s.status === 'draft') actions.push(button('Publish', 'btn-secondary', 'publish', (e) => this.#publish(s, e.currentTarget as HTMLButtonElement)));
    if (s.status === 'in_progress' || s.status === 'completed') {
      const toggle = button('Attendance', 'btn-secondary', 'attendance', () => this.#toggleAttendance(s, toggle));
      toggle.setAttribute('aria-expanded', 'false');
      actions.push(toggle);
    }
    if (editable) {
      actions.push(button('Edit', 'btn-secondary', 'edit', () => this.#openForm(s)));
      actions.push(button('Cancel', 'btn-danger', 'cancel', (e) => this.#confirmCancel(s, e.currentTarget as HTMLButtonElement)));
    }
    return actions;
  }

  /** Runs a row action, showing its failure (e.g. 409 "too early to be ready") in the row. */
  async #act(s: Session, trigger: HTMLButtonElement, action: () => Promise<Session>, done: string): Promise<Session | null> {
    trigger.disabled = true;
    try {
      const updated = await action();
      this.#sessions = this.#sessions.map((x) => (x.id === updated.id ? updated : x));
      this.#replaceRow(updated);
      this.#ctx.announce(done);
      return updated;
    } catch (error) {
      trigger.disabled = false;
      const message = this.#ctx.fail(error);
      const row = this.#list?.querySelector(`[data-session-id="${s.id}"]`);
      if (message && row) {
        row.querySelector('.row-error')?.remove();
        row.append(h('p', { class: 'row-error basis-full text-sm text-danger', role: 'alert' }, message));
      }
      return null;
    }
  }

  #ready(s: Session, trigger: HTMLButtonElement): void {
    void this.#act(s, trigger, () => unwrap(this.#ctx.api.POST('/api/sessions/{id}/ready/', { params: { path: { id: s.id } } })), 'Marked ready. Learners are notified.');
  }

  #publish(s: Session, trigger: HTMLButtonElement): void {
    void this.#act(s, trigger, () => unwrap(this.#ctx.api.POST('/api/sessions/{id}/publish/', { params: { path: { id: s.id } } })), 'Session published.');
  }

  async #start(s: Session, trigger: HTMLButtonElement): Promise<void> {
    const started = await this.#act(s, trigger, () => unwrap(this.#ctx.api.POST('/api/sessions/{id}/start/', { params: { path: { id: s.id } } })), 'Class started.');
    if (started) this.#ctx.navigate(`/room/${s.id}`);
  }

  /** Shows (or hides) who came to the class. */
  #toggleAttendance(s: Session, toggle: HTMLButtonElement): void {
    if (this.#signal) toggleAttendance(this.#ctx, s, toggle, this.#signal);
  }

  #confirmCancel(s: Session, trigger: HTMLButtonElement): void {
    const row = trigger.closest('li');
    if (!row || row.querySelector('.cancel-confirm')) return;
    const { form, focus } = cancelForm((body) => {
      void this.#act(s, trigger, () => unwrap(this.#ctx.api.POST('/api/sessions/{id}/cancel/', { params: { path: { id: s.id } }, body })), 'Session cancelled.');
    });
    row.append(form);
    focus();
  }

  /** Opens the create form (`session` null) or the edit form above the list. */
  #openForm(session: Session | null): void {
    const slot = this.#formSlot;
    if (!slot) return;
    const close = () => {
      render(slot);
      // A reload must not reopen a closed (or saved) form: `sessions/new` is left behind.
      this.#ctx.replaceLocation('sessions');
    };
    const { form, focus } = sessionForm(session, { close, submit: (form, body, publish) => void this.#save(form, session, body, publish, close) });
    render(slot, form);
    focus();
  }

  async #save(
    form: HTMLFormElement,
    session: Session | null,
    body: Schema<'SessionReplace'>,
    publish: boolean,
    close: () => void,
  ): Promise<void> {
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    submit.disabled = true;
    clearErrors(form);
    try {
      const saved = session
        ? await unwrap(this.#ctx.api.PUT('/api/sessions/{id}/', { params: { path: { id: session.id } }, body }))
        : await unwrap(this.#ctx.api.POST('/api/sessions/', { body: { ...body, status: publish ? 'scheduled' : 'draft' } }));
      close();
      this.#ctx.announce(session ? 'Session saved.' : 'Session created.');
      if (this.#status && this.#status !== saved.status && !(this.#status === 'upcoming' && LIVE_STATUSES.has(saved.status))) {
        // Show the saved session even when the current filter would hide it.
        this.#status = '';
        if (this.#filterSelect) this.#filterSelect.value = '';
      }
      await this.#load(saved);
    } catch (error) {
      submit.disabled = false;
      if (this.#ctx.fail(error) !== null) showErrors(form, error, 'The session could not be saved.');
    }
  }

  #highlight(id: number): void {
    const row = this.#list?.querySelector<HTMLElement>(`[data-session-id="${id}"]`);
    if (!row) return;
    row.classList.add('ring-2', 'ring-accent');
    row.scrollIntoView({ block: 'nearest' });
    row.querySelector<HTMLElement>('h3')?.focus({ preventScroll: true });
  }
}
