/**
 * A user's notifications as the bell and the dashboard's Notifications tab show them: the newest
 * page, the unread count, live additions from the socket, and the catch-up after a reconnect
 * (`GET /api/notifications/?after=<highest id seen>`, oldest first). Notifications are kept by id,
 * so one arriving both live and in a catch-up page appears once.
 */
import { unwrap, type Api, type Schema } from './api.ts';

export type Notification = Schema<'Notification'>;

/** How many notifications are kept on screen (newest first). */
const KEEP = 50;
const CATCH_UP_PAGE = 100;

export interface FeedChange {
  /** Notifications that arrived since the last change (live or caught up), oldest first. */
  added: Notification[];
}

export class NotificationFeed extends EventTarget {
  items: Notification[] = [];
  unreadCount = 0;
  loaded = false;
  readonly #api: Api;
  #highestId = 0;
  #loading: Promise<void> | null = null;

  constructor(api: Api) {
    super();
    this.#api = api;
  }

  load(): Promise<void> {
    this.#loading ??= this.#fetchNewest().finally(() => (this.#loading = null));
    return this.#loading;
  }

  async #fetchNewest(): Promise<void> {
    const page = await unwrap(this.#api.GET('/api/notifications/', { params: { query: { page_size: 20 } } }));
    this.items = page.results;
    this.unreadCount = page.unread_count;
    this.#highestId = Math.max(this.#highestId, ...page.results.map((n) => n.id));
    this.loaded = true;
    this.#changed([]);
  }

  /**
   * Fetches everything newer than the highest id seen, in a request that starts now: called once
   * the socket is subscribed, it closes the gap between the last read and the first push.
   */
  async catchUp(): Promise<void> {
    if (this.#loading) await this.#loading.catch(() => undefined);
    if (!this.loaded) return this.load();
    const added: Notification[] = [];
    for (let page = 1; ; page++) {
      const data = await unwrap(
        this.#api.GET('/api/notifications/', { params: { query: { after: this.#highestId, page, page_size: CATCH_UP_PAGE } } }),
      );
      added.push(...this.#merge(data.results));
      this.unreadCount = data.unread_count;
      if (!data.next) break;
    }
    this.#changed(added);
  }

  /** A notification pushed on `notifications_{user}`, with the unread count after it. */
  receive(notification: Notification, unreadCount: number): void {
    const added = this.#merge([notification]);
    this.unreadCount = unreadCount;
    this.#changed(added);
  }

  /** The unread count pushed after reads on another client or tab. */
  setUnreadCount(count: number): void {
    if (count === this.unreadCount) return;
    this.unreadCount = count;
    this.#changed([]);
  }

  async markRead(id: number, read = true): Promise<void> {
    const updated = await unwrap(
      this.#api.PUT('/api/notifications/{id}/', { params: { path: { id } }, body: { read_status: read } }),
    );
    this.items = this.items.map((n) => (n.id === id ? updated : n));
    this.#changed([]);
    // The server's count is the truth. The live `unread_count` push may already have lowered it
    // (or not, when the socket is down): ask instead of adjusting it a second time.
    const page = await unwrap(this.#api.GET('/api/notifications/', { params: { query: { page_size: 1 } } }));
    this.setUnreadCount(page.unread_count);
  }

  async markAllRead(): Promise<void> {
    const result = await unwrap(this.#api.POST('/api/notifications/read-all/'));
    const now = new Date().toISOString();
    this.items = this.items.map((n) => (n.read_status ? n : { ...n, read_status: true, read_at: now }));
    this.unreadCount = result.unread_count;
    this.#changed([]);
  }

  /** Adds unseen notifications (newest first, capped); returns the new ones, oldest first. */
  #merge(incoming: Notification[]): Notification[] {
    const known = new Set(this.items.map((n) => n.id));
    const fresh = incoming.filter((n) => !known.has(n.id)).sort((a, b) => a.id - b.id);
    if (!fresh.length) return [];
    this.#highestId = Math.max(this.#highestId, ...fresh.map((n) => n.id));
    // Pushes from concurrent transactions may arrive out of id order: keep the list sorted.
    this.items = [...fresh, ...this.items].sort((a, b) => b.id - a.id).slice(0, KEEP);
    return fresh;
  }

  #changed(added: Notification[]): void {
    this.dispatchEvent(new CustomEvent<FeedChange>('change', { detail: { added } }));
  }
}
