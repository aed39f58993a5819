/**
 * The end of a class: "This class has ended.", then "Back to the dashboard" for the mentor, or the
 * feedback prompt (the learner's earlier feedback if there is one) for a learner.
 */
import { unwrap, type Api } from '../shared/api.ts';
import { h } from '../shared/dom.ts';
import { feedbackSection } from './feedback.ts';
import { roomBase, roomHeader, type Room } from './room-view.ts';

export interface EndedOptions {
  api: Api;
  room: Room;
  headingLevel: number;
  /** The mentor's way back (`/dashboard#sessions/{id}`). */
  navigate(href: string): void;
  /** Whether the ended view is still the one shown (the feedback loads after it was left). */
  shown(): boolean;
  /** A failure as a sentence to show, or null when the work was aborted. */
  describe(error: unknown): string | null;
}

export function endedView({ api, room, headingLevel, navigate, shown, describe }: EndedOptions): HTMLElement {
  const content = h('div', { class: 'flex flex-col gap-3' }, h('p', { role: 'status', class: 'text-sm' }, 'This class has ended.'));
  const path = { id: room.session.id };
  if (room.isMentor) {
    // Not disabled while an action runs: the mentor's "End class now" is still running when this shows.
    const onclick = () => navigate(`/dashboard#sessions/${path.id}`);
    content.append(h('button', { type: 'button', class: 'btn btn-secondary self-start', 'data-action': 'dashboard', onclick }, 'Back to the dashboard'));
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
