/**
 * The end of a class: "This class has ended.", then "Back to the dashboard" for the mentor, or the
 * feedback prompt (the learner's earlier feedback if there is one) for a learner.
 */
import { unwrap, type Api } from '../shared/api.ts';
import { h } from '../shared/dom.ts';
import { feedbackSection } from './feedback.ts';
import { roomBase, roomHeader, type ButtonFactory, type Room } from './room-view.ts';

export interface EndedOptions {
  api: Api;
  room: Room;
  headingLevel: number;
  button: ButtonFactory;
  /** The mentor's way back (`/dashboard#sessions/{id}`). */
  navigate(href: string): void;
  /** Whether the ended view is still the one shown (the feedback loads after it was left). */
  shown(): boolean;
  /** A failure as a sentence to show, or null when the work was aborted. */
  describe(error: unknown): string | null;
}

export function endedView({ api, room, headingLevel, button, navigate, shown, describe }: EndedOptions): HTMLElement {
  const content = h('div', { class: 'flex flex-col gap-3' }, h('p', { role: 'status', class: 'text-sm' }, 'This class has ended.'));
  const path = { id: room.session.id };
  if (room.isMentor) {
    content.append(button('Back to the dashboard', 'btn-secondary self-start', 'dashboard', () => navigate(`/dashboard#sessions/${path.id}`)));
  } else {
    void unwrap(api.GET('/api/sessions/{id}/feedback/', { params: { path } }))
      .then(
        (page) => page.results[0] ?? null,
        (error: unknown) => (describe(error), null),
      )
      .then((existing) => {
        if (!shown()) return;
        content.append(
          feedbackSection({
            headingLevel: headingLevel + 1,
            existing,
            submit: (rating, comment) => unwrap(api.POST('/api/sessions/{id}/feedback/', { params: { path }, body: { rating, comment } })),
            describe,
          }),
        );
      });
  }
  return roomBase('ended', roomHeader(room, headingLevel, true), content);
}
