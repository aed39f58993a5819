/** Who came to a class, under its row in the Sessions tab: per booked learner, their status and time in the room. */
import { unwrap, type Schema } from '../../shared/api.ts';
import { h, uid } from '../../shared/dom.ts';
import { formatDateTime, fullName } from '../../shared/format.ts';
import type { DashboardContext } from '../context.ts';
import { empty, loadInto, statusBadge } from '../ui.ts';

type Session = Schema<'Session'>;
type AttendanceEntry = Schema<'AttendanceEntry'>;

/** Shows (or hides) the attendance of `s` in the row of `toggle`. */
export function toggleAttendance(ctx: DashboardContext, s: Session, toggle: HTMLButtonElement, signal: AbortSignal): void {
  const row = toggle.closest('li');
  if (!row) return;
  const open = row.querySelector<HTMLElement>('.attendance');
  if (open) {
    open.remove();
    toggle.setAttribute('aria-expanded', 'false');
    return;
  }
  const panel = h('section', { class: 'attendance basis-full', id: uid('md-attendance'), 'aria-label': `Attendance of ${s.title}` });
  toggle.setAttribute('aria-controls', panel.id);
  toggle.setAttribute('aria-expanded', 'true');
  row.append(panel);
  loadInto(panel, 'attendance', signal, (error) => ctx.fail(error), async () => {
    const attendance = await unwrap(ctx.api.GET('/api/sessions/{id}/attendance/', { params: { path: { id: s.id } } }));
    if (!attendance.bookings.length) return empty('Nobody booked this class.');
    return h('ul', { class: 'flex flex-col gap-1 text-sm', part: 'attendance' }, attendance.bookings.map((entry) => attendanceLine(entry)));
  });
}

/** "Lin Learner [Attended] 42 min in the room · joined 10:02 · left 10:44". */
function attendanceLine(entry: AttendanceEntry): HTMLLIElement {
  const minutes = Math.round(entry.present_seconds / 60);
  const details = entry.first_joined_at
    ? [
        entry.in_room ? 'in the room now' : `${minutes} min in the room`,
        `joined ${formatDateTime(entry.first_joined_at)}`,
        entry.last_left_at ? `left ${formatDateTime(entry.last_left_at)}` : null,
      ]
        .filter(Boolean)
        .join(' · ')
    : 'never joined the room';
  return h(
    'li',
    { class: 'flex flex-wrap items-center gap-2', 'data-learner': entry.learner },
    h('span', { class: 'font-medium' }, fullName(entry.learner_summary)),
    statusBadge(entry.status),
    h('span', { class: 'text-ink-muted' }, details),
  );
}
