/** A mentor's public profile as a card: picture, name, bio, expertise, rating and price. */
import type { Schema } from '../../shared/api.ts';
import { h } from '../../shared/dom.ts';
import { formatMoney, fullName } from '../../shared/format.ts';
import type { BookingContext } from '../context.ts';
import { heading } from '../ui.ts';

export type Mentor = Schema<'MentorProfile'>;

export function ratingText(m: Mentor): string {
  if (m.average_rating === null) return 'No reviews yet';
  return `Rated ${m.average_rating.toFixed(1)} of 5 (${m.feedback_count} review${m.feedback_count === 1 ? '' : 's'})`;
}

export const priceText = (m: Mentor) => (m.hourly_rate === null ? 'Rate not set' : `${formatMoney(m.hourly_rate, m.currency)} per hour`);

function avatar(m: Mentor, ctx: BookingContext, size: string): HTMLElement {
  if (m.avatar) return h('img', { src: ctx.resolve(m.avatar), alt: '', class: `${size} shrink-0 rounded-full object-cover`, loading: 'lazy' });
  const initials = (m.first_name[0] ?? m.username[0] ?? '?') + (m.last_name[0] ?? '');
  return h('span', { class: `${size} shrink-0 inline-flex items-center justify-center rounded-full bg-accent text-on-accent font-bold`, 'aria-hidden': 'true' }, initials.toUpperCase());
}

/**
 * `full`: the mentor page's card, with the whole bio. Otherwise a directory entry whose name links
 * to the mentor's page (`/mentors/{id}`).
 */
export function mentorCard(m: Mentor, ctx: BookingContext, level: number, full: boolean): HTMLElement {
  const name = fullName(m);
  const href = `/mentors/${m.id}`;
  const title = full
    ? heading(level, name)
    : heading(level, '', { class: 'text-base font-semibold break-words' });
  if (!full) {
    title.append(
      h('a', { href: ctx.resolve(href), class: 'text-accent underline-offset-2 hover:underline', onclick: (e: MouseEvent) => (e.preventDefault(), ctx.navigate(href)) }, name),
    );
  }
  const bio = m.bio && h('p', { class: `text-sm whitespace-pre-line break-words ${full ? '' : 'line-clamp-3'}` }, m.bio);
  return h(
    full ? 'section' : 'li',
    { part: 'mentor', class: 'card p-4 flex flex-col gap-3 min-w-0', 'data-mentor-id': m.id, 'aria-label': full ? `About ${name}` : null },
    h(
      'div',
      { class: 'flex items-start gap-3 min-w-0' },
      avatar(m, ctx, full ? 'size-16' : 'size-12'),
      h(
        'div',
        { class: 'min-w-0 flex flex-col gap-0.5' },
        title,
        h('p', { class: 'text-sm text-ink-muted', 'data-rating': '' }, ratingText(m)),
        h('p', { class: 'text-sm font-medium', 'data-price': '' }, priceText(m)),
      ),
    ),
    bio,
    m.expertise.length > 0 &&
      h(
        'ul',
        { class: 'flex flex-wrap gap-1', 'aria-label': 'Expertise' },
        m.expertise.map((tag) => h('li', { class: 'rounded-full bg-surface-muted border border-line px-2 py-0.5 text-xs' }, tag)),
      ),
  );
}
