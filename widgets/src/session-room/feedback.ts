/** The learner's feedback prompt at the end of a class: a 1–5 rating and an optional comment. */
import { ApiProblem, type Schema } from '../shared/api.ts';
import { h, render, uid } from '../shared/dom.ts';

export type Feedback = Schema<'Feedback'>;

export interface FeedbackOptions {
  headingLevel: number;
  /** The learner's earlier feedback on this session, if any (shown instead of the form). */
  existing: Feedback | null;
  /** `POST /api/sessions/{id}/feedback/`; throws an ApiProblem when refused. */
  submit(rating: number, comment: string | null): Promise<Feedback>;
  /** A failure as a sentence to show, or null when the work was aborted. */
  describe(error: unknown): string | null;
}

const RATINGS = [
  [1, 'Poor'],
  [2, 'Fair'],
  [3, 'Good'],
  [4, 'Very good'],
  [5, 'Excellent'],
] as const;

function thanks(feedback: Feedback): HTMLElement {
  return h('p', { class: 'text-success font-medium', role: 'status', 'data-feedback': 'sent' }, `Thank you! You rated this class ${feedback.rating} out of 5.`);
}

export function feedbackSection(options: FeedbackOptions): HTMLElement {
  const ids = { heading: uid('md-feedback-heading'), comment: uid('md-feedback-comment'), error: uid('md-feedback-error') };
  const level = Math.min(6, options.headingLevel);
  const section = h('section', { part: 'feedback', class: 'card p-4 flex flex-col gap-3 max-w-xl', 'aria-labelledby': ids.heading });
  const heading = h(`h${level}` as 'h3', { id: ids.heading, class: 'text-base font-semibold' }, 'How was the class?');
  if (options.existing) {
    render(section, heading, thanks(options.existing));
    return section;
  }

  const error = h('p', { id: ids.error, class: 'text-sm text-danger', role: 'alert' });
  const comment = h('textarea', { id: ids.comment, name: 'comment', rows: 3, maxlength: 2000, class: 'field-input' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary self-start' }, 'Send feedback');
  const form = h(
    'form',
    {
      class: 'flex flex-col gap-3',
      'aria-labelledby': ids.heading,
      onsubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        const data = new FormData(form);
        const rating = Number(data.get('rating'));
        if (!rating) {
          error.textContent = 'Choose a rating from 1 to 5.';
          return;
        }
        const text = String(data.get('comment') ?? '').trim();
        submit.disabled = true;
        error.textContent = '';
        try {
          render(section, heading, thanks(await options.submit(rating, text || null)));
        } catch (err) {
          const fields = err instanceof ApiProblem ? err.fieldErrors() : new Map<string, string>();
          error.textContent = fields.get('comment') ?? fields.get('rating') ?? options.describe(err) ?? '';
          submit.disabled = false;
        }
      },
    },
    h(
      'fieldset',
      { class: 'flex flex-col gap-2' },
      h('legend', { class: 'text-sm font-medium mb-1' }, 'Your rating'),
      h(
        'div',
        { class: 'flex flex-wrap gap-2' },
        RATINGS.map(([value, label]) =>
          h(
            'label',
            { class: 'inline-flex items-center gap-2 rounded-widget border border-line px-3 py-1.5 text-sm cursor-pointer has-checked:border-accent has-checked:bg-surface-muted' },
            h('input', { type: 'radio', name: 'rating', value: String(value), required: true, 'aria-describedby': ids.error }),
            `${value} – ${label}`,
          ),
        ),
      ),
    ),
    h('div', { class: 'flex flex-col gap-1' }, h('label', { for: ids.comment, class: 'text-sm font-medium' }, 'Comment (optional)'), comment),
    error,
    submit,
  );
  render(section, heading, h('p', { class: 'text-sm text-ink-muted' }, 'Your mentor sees your rating and comment.'), form);
  return section;
}
