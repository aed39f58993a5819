/**
 * The Sessions tab's forms: create / edit (the API's field errors are shown beside the fields), and
 * the confirmation of a cancellation with its optional reason.
 */
import type { Schema } from '../../shared/api.ts';
import { h, uid } from '../../shared/dom.ts';
import { fromLocalInput, toLocalInput } from '../../shared/format.ts';
import { field, formError, formGrid, input, textarea } from '../forms.ts';

type Session = Schema<'Session'>;

export interface SessionFormOptions {
  close(): void;
  /** `publish`: create it scheduled (bookable) rather than as a draft (new sessions only). */
  submit(form: HTMLFormElement, body: Schema<'SessionReplace'>, publish: boolean): void;
}

/** The form for a new session (`session` null) or for editing `session`; `focus` moves to its first field. */
export function sessionForm(session: Session | null, options: SessionFormOptions): { form: HTMLFormElement; focus(): void } {
  const title = input({ type: 'text', required: true, maxlength: 200, value: session?.title ?? '' });
  const description = textarea({ maxlength: 5000 }, session?.description ?? '');
  const start = input({ type: 'datetime-local', required: true, value: session ? toLocalInput(session.start_time) : '' });
  const duration = input({ type: 'number', required: true, min: 5, max: 1440, step: 5, value: String(session?.duration ?? 60) });
  const price = input({ type: 'text', inputmode: 'decimal', placeholder: 'Free', value: session?.price ?? '' });
  const capacity = input({ type: 'number', required: true, min: 1, max: 500, value: String(session?.capacity ?? 1) });
  const publish = h('input', { type: 'checkbox', class: 'size-4', checked: true, id: uid('md-publish') });
  const heading = session ? `Edit “${session.title}”` : 'New session';
  const form: HTMLFormElement = formGrid(
    {
      class: 'card p-4 mb-4',
      'aria-label': heading,
      onsubmit: (event: SubmitEvent) => {
        event.preventDefault();
        const body = {
          title: title.value,
          description: description.value,
          start_time: fromLocalInput(start.value) ?? start.value,
          duration: Number(duration.value),
          price: price.value.trim() || null,
          capacity: Number(capacity.value),
        };
        options.submit(form, body, publish.checked);
      },
    },
    h('h3', { class: 'text-base font-semibold @min-[40rem]:col-span-2' }, heading),
    field({ name: 'title', label: 'Title', control: title, wide: true }),
    field({ name: 'description', label: 'Description', control: description, wide: true }),
    field({ name: 'start_time', label: 'Starts at', control: start }),
    field({ name: 'duration', label: 'Duration (minutes)', control: duration }),
    field({ name: 'price', label: 'Price', control: price, hint: 'Leave empty for a free session.' }),
    field({ name: 'capacity', label: 'Capacity', control: capacity }),
    !session &&
      h(
        'div',
        { class: 'flex items-center gap-2 @min-[40rem]:col-span-2', 'data-field': 'status' },
        publish,
        h('label', { for: publish.id, class: 'text-sm' }, 'Publish now, so learners can book it'),
      ),
    formError(),
    h(
      'div',
      { class: 'flex flex-wrap gap-2 @min-[40rem]:col-span-2' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, session ? 'Save changes' : 'Create session'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: options.close }, 'Close'),
    ),
  );
  return { form, focus: () => title.focus() };
}

/** "Cancel session" with an optional reason (shown to booked learners), or "Keep it". */
export function cancelForm(confirm: (body: { reason?: string }) => void): { form: HTMLFormElement; focus(): void } {
  const reason = input({ type: 'text', maxlength: 500, placeholder: 'Optional, shown to booked learners' });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'cancel-confirm basis-full flex flex-col gap-2 @min-[40rem]:flex-row @min-[40rem]:items-end',
      onsubmit: (event: SubmitEvent) => {
        event.preventDefault();
        confirm(reason.value.trim() ? { reason: reason.value.trim() } : {});
      },
    },
    h('div', { class: 'flex-1 min-w-0' }, field({ name: 'reason', label: 'Reason for cancelling', control: reason })),
    h(
      'div',
      { class: 'flex gap-2' },
      h('button', { type: 'submit', class: 'btn btn-danger' }, 'Cancel session'),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => form.remove() }, 'Keep it'),
    ),
  );
  return { form, focus: () => reason.focus() };
}
