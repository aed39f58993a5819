/**
 * "Request a session": a topic, one to five preferred times (`datetime-local`, the viewer's wall
 * time, sent as UTC ISO instants) and a message.
 */
import { unwrap } from '../../shared/api.ts';
import { h, uid } from '../../shared/dom.ts';
import { fromLocalInput } from '../../shared/format.ts';
import type { BookingContext } from '../context.ts';
import { clearErrors, field, formError, input, showErrors, showFieldError, textarea } from '../ui.ts';

const MAX_TIMES = 5;

/** The viewer's time zone, e.g. `Asia/Kolkata`. */
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The `datetime-local` values as UTC ISO instants; empty inputs are left out, unreadable ones kept as typed (the API names them). */
export function preferredTimes(values: readonly string[]): string[] {
  return values.filter((v) => v.trim()).map((v) => fromLocalInput(v) ?? v);
}

export function requestForm(ctx: BookingContext, mentorId: number): HTMLFormElement {
  const topic = input({ maxlength: 200, required: true, autocomplete: 'off' });
  const message = textarea({ maxlength: 2000 });
  const times = h('ol', { class: 'flex flex-col gap-2' });
  const legendId = uid('mb-times');
  const add = h('button', { type: 'button', class: 'btn btn-secondary self-start', 'data-action': 'add-time', onclick: () => addTime(true) }, 'Add another time');

  const renumber = () => {
    const rows = [...times.children] as HTMLElement[];
    rows.forEach((row, i) => {
      row.querySelector('input')!.setAttribute('aria-label', `Preferred time ${i + 1}`);
      const remove = row.querySelector<HTMLButtonElement>('button');
      if (remove) {
        remove.hidden = rows.length === 1;
        remove.setAttribute('aria-label', `Remove preferred time ${i + 1}`);
      }
    });
    add.hidden = rows.length >= MAX_TIMES;
  };
  function addTime(focus: boolean): void {
    const picker = input({ type: 'datetime-local', class: 'field-input min-w-0 flex-1 basis-48', 'aria-describedby': legendId });
    const row = h(
      'li',
      { class: 'flex flex-wrap items-center gap-2' },
      picker,
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => (row.remove(), renumber()) }, 'Remove'),
    );
    times.append(row);
    renumber();
    if (focus) picker.focus();
  }
  addTime(false);

  const form: HTMLFormElement = h(
    'form',
    {
      'aria-label': 'Request a session',
      class: 'card p-4 flex flex-col gap-4 min-w-0',
      novalidate: true,
      onsubmit: (event: SubmitEvent) => {
        event.preventDefault();
        void send();
      },
    },
    field('topic', 'Topic', topic),
    h(
      'fieldset',
      { class: 'flex flex-col gap-2 min-w-0', 'data-field': 'preferred_times', 'data-item-label': 'Preferred time' },
      h('legend', { class: 'mb-1 text-sm font-medium' }, 'Preferred times'),
      h('p', { id: legendId, class: 'text-xs text-ink-muted' }, `One to five times, in your time zone (${viewerZone()}).`),
      times,
      add,
      h('p', { class: 'field-error text-sm text-danger', hidden: true }),
    ),
    field('message', 'Message (optional)', message),
    formError(),
    h('div', null, h('button', { type: 'submit', class: 'btn btn-primary', 'data-action': 'send-request' }, 'Send request')),
  );

  async function send(): Promise<void> {
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    clearErrors(form);
    const values = preferredTimes([...times.querySelectorAll('input')].map((i) => i.value));
    // What needs no server to tell: said in words before sending.
    if (!values.length) showFieldError(form, 'preferred_times', 'Choose at least one preferred time.');
    if (!topic.value.trim()) showFieldError(form, 'topic', 'Enter a topic.');
    if (!values.length || !topic.value.trim()) return;
    submit.disabled = true;
    try {
      const body = { mentor: mentorId, topic: topic.value, message: message.value, preferred_times: values };
      const sent = await unwrap(ctx.api.POST('/api/requests/', { body }));
      topic.value = '';
      message.value = '';
      times.replaceChildren();
      addTime(false);
      ctx.announce(`Request “${sent.topic}” sent. You will be notified when the mentor answers.`);
      ctx.changed();
    } catch (error) {
      if (ctx.fail(error) !== null) showErrors(form, error, 'The request could not be sent.');
    } finally {
      submit.disabled = false;
    }
  }
  return form;
}
