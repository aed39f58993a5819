/**
 * Profile: edit the mentor's details and upload a picture with a preview. Without a new picture
 * the form is sent as JSON; with one, as multipart/form-data (the API re-encodes the image).
 */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, render, uid } from '../../shared/dom.ts';
import type { DashboardContext, DashboardTab } from '../context.ts';
import { clearErrors, field, formError, formGrid, input, showErrors, textarea } from '../forms.ts';
import { loadInto, sectionHeading } from '../ui.ts';

type Profile = Schema<'Profile'>;
type ProfileFields = Required<Omit<Schema<'ProfileUpdate'>, 'hourly_rate'>> & { hourly_rate: string | null };

const PICTURE_TYPES = 'image/jpeg,image/png,image/webp';

function timezones(): string[] {
  return typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
}

/** The multipart form of the fields: strings only, expertise comma-separated, '' clears the rate. */
function toFormData(fields: ProfileFields, picture: File): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    data.set(name, Array.isArray(value) ? value.join(', ') : (value ?? ''));
  }
  data.set('picture', picture);
  return data;
}

export class ProfileTab implements DashboardTab {
  readonly id = 'profile';
  readonly label = 'Profile';
  readonly #ctx: DashboardContext;
  #previewUrl: string | null = null;
  #container: HTMLElement | null = null;

  constructor(ctx: DashboardContext) {
    this.#ctx = ctx;
  }

  show(panel: HTMLElement, _target: string | undefined, signal: AbortSignal): void {
    const body = h('div');
    this.#container = body;
    render(panel, body);
    signal.addEventListener('abort', () => this.#setPreview(null), { once: true });
    loadInto(body, 'your profile', signal, this.#ctx.fail, async () => this.#form(await unwrap(this.#ctx.api.GET('/api/profile/'))));
  }

  #setPreview(file: File | null): string | null {
    if (this.#previewUrl) URL.revokeObjectURL(this.#previewUrl);
    this.#previewUrl = file ? URL.createObjectURL(file) : null;
    return this.#previewUrl;
  }

  #avatar(src: string | null, label: string): HTMLElement {
    return src
      ? h('img', { src, alt: label, class: 'size-20 rounded-full object-cover border border-line' })
      : h('div', { class: 'size-20 rounded-full bg-surface-muted border border-line', role: 'img', 'aria-label': 'No picture yet' });
  }

  #form(p: Profile): HTMLElement {
    const firstName = input({ type: 'text', maxlength: 150, value: p.first_name, autocomplete: 'given-name' });
    const lastName = input({ type: 'text', maxlength: 150, value: p.last_name, autocomplete: 'family-name' });
    const email = input({ type: 'email', required: true, maxlength: 254, value: p.email, autocomplete: 'email' });
    const bio = textarea({ maxlength: 5000 }, p.bio);
    const expertise = input({ type: 'text', value: p.expertise.join(', ') });
    const zoneList = h('datalist', { id: `md-zones-${p.id}` }, timezones().map((z) => h('option', { value: z })));
    const timezone = input({ type: 'text', required: true, value: p.timezone, list: zoneList.id });
    const rate = input({ type: 'text', inputmode: 'decimal', value: p.hourly_rate ?? '', placeholder: 'Not shown' });
    const currency = input({ type: 'text', required: true, maxlength: 3, value: p.currency, class: 'field-input uppercase' });
    const picture = input({ type: 'file', accept: PICTURE_TYPES, id: uid('md-picture'), name: 'picture' });
    const preview = h('div', { 'data-preview': '' }, this.#avatar(p.avatar ? this.#ctx.resolve(p.avatar) : null, 'Your current picture'));
    picture.addEventListener('change', () => {
      const file = picture.files?.[0] ?? null;
      render(preview, this.#avatar(this.#setPreview(file) ?? (p.avatar ? this.#ctx.resolve(p.avatar) : null), file ? 'Preview of the new picture' : 'Your current picture'));
    });

    const form = formGrid(
      {
        class: 'card p-4',
        'aria-label': 'Your profile',
        onsubmit: (event: SubmitEvent) => {
          event.preventDefault();
          const fields: ProfileFields = {
            first_name: firstName.value,
            last_name: lastName.value,
            email: email.value.trim(),
            bio: bio.value,
            expertise: expertise.value.split(',').map((t) => t.trim()).filter(Boolean),
            timezone: timezone.value.trim(),
            hourly_rate: rate.value.trim() || null,
            currency: currency.value.trim().toUpperCase(),
          };
          void this.#save(form, fields, picture.files?.[0] ?? null);
        },
      },
      h(
        'div',
        { class: 'flex flex-wrap items-center gap-4 @min-[40rem]:col-span-2', 'data-field': 'picture' },
        preview,
        h(
          'div',
          { class: 'flex min-w-0 flex-col gap-1' },
          h('label', { for: picture.id, class: 'text-sm font-medium' }, 'Profile picture'),
          picture,
          h('p', { class: 'text-xs text-ink-muted' }, 'JPEG, PNG or WebP, at most 2 MB.'),
          h('p', { class: 'field-error text-sm text-danger', hidden: true }),
        ),
      ),
      field({ name: 'first_name', label: 'First name', control: firstName }),
      field({ name: 'last_name', label: 'Last name', control: lastName }),
      field({ name: 'email', label: 'Email', control: email }),
      field({ name: 'timezone', label: 'Time zone', control: timezone }),
      field({ name: 'bio', label: 'Bio', control: bio, wide: true }),
      field({ name: 'expertise', label: 'Expertise', control: expertise, hint: 'Comma-separated, e.g. TypeScript, System design', wide: true }),
      field({ name: 'hourly_rate', label: 'Hourly rate', control: rate }),
      field({ name: 'currency', label: 'Currency', control: currency }),
      zoneList,
      formError(),
      h('div', { class: '@min-[40rem]:col-span-2' }, h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save profile')),
    );
    return h('div', null, sectionHeading('Profile'), form);
  }

  async #save(form: HTMLFormElement, fields: ProfileFields, picture: File | null): Promise<void> {
    const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    submit.disabled = true;
    clearErrors(form);
    try {
      const saved = picture
        ? await unwrap(this.#ctx.api.PATCH('/api/profile/', { body: fields, bodySerializer: () => toFormData(fields, picture) }))
        : await unwrap(this.#ctx.api.PATCH('/api/profile/', { body: fields }));
      Object.assign(this.#ctx.profile, saved);
      this.#setPreview(null);
      this.#ctx.announce('Profile saved.');
      if (this.#container) render(this.#container, this.#form(saved));
    } catch (error) {
      if (this.#ctx.fail(error) !== null) showErrors(form, error, 'The profile could not be saved.');
    } finally {
      submit.disabled = false;
    }
  }
}
