/**
 * A widget for one kind of account (`<mentor-dashboard>` for mentors, `<mentor-booking>`'s own
 * bookings for learners): on connect it loads the caller's profile and starts with it, or says in
 * place why it cannot — signed out, an account it is not for, or a failure (a 401 asks to sign in
 * again; the host also hears `md-unauthorized`).
 */
import { unwrap, type Schema } from './api.ts';
import { WidgetElement } from './base-element.ts';
import { h, render } from './dom.ts';

export type Profile = Schema<'Profile'>;

export abstract class AccountWidget extends WidgetElement {
  /** Shown while the profile loads. */
  protected abstract readonly loadingText: string;
  /** Shown while no credential is set. */
  protected abstract readonly signedOutText: string;

  /** Why `profile` cannot use the widget (shown in its place), or null to start. */
  protected abstract refusal(profile: Profile): string | null;

  /** Builds the widget for `profile`; everything long-lived honours `signal`. */
  protected abstract startFor(profile: Profile, signal: AbortSignal): void;

  /** Drops what the last start built: before each start, when signed out and on disconnect. */
  protected abstract resetState(): void;

  protected renderSignedOut(): void {
    this.resetState();
    this.renderNotice(this.signedOutText, 'status');
  }

  protected connected(signal: AbortSignal): void {
    this.resetState();
    signal.addEventListener('abort', () => this.resetState(), { once: true });
    render(this.shadowRoot!, h('p', { class: 'p-4 text-sm text-ink-muted', role: 'status' }, this.loadingText));
    unwrap(this.api.GET('/api/profile/')).then(
      (profile) => {
        if (signal.aborted) return;
        const refusal = this.refusal(profile);
        if (refusal) this.renderNotice(refusal);
        else this.startFor(profile, signal);
      },
      (error: unknown) => {
        const detail = this.reportError(error, signal);
        if (detail) this.renderNotice(detail.status === 401 ? 'Your session has expired. Please sign in again.' : detail.message);
      },
    );
  }

  /** A message in place of the widget. */
  protected renderNotice(text: string, role: 'status' | 'alert' = 'alert'): void {
    render(this.shadowRoot!, h('div', { part: 'message', class: 'card m-4 p-4 text-sm', role }, text));
  }
}
