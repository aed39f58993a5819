/**
 * The lobby: a camera and microphone preview, the choice of devices, and who is ready, with
 * "I'm Ready" (mentor), "Confirm I'm ready" (learner) and "Start Class" / "Join class".
 */
import { h, render, uid, type Child } from '../shared/dom.ts';
import { opensAt } from '../shared/format.ts';
import type { LocalMedia } from './media.ts';
import { bannerElement, roomBase, rerender, type ButtonFactory, type LobbyMessage, type Room } from './room-view.ts';
import { VideoTile } from './tiles.ts';

export interface ReadinessActions {
  button: ButtonFactory;
  ready(): void;
  start(): void;
  /** Re-renders the readiness once "I'm Ready" opens. */
  refresh(): void;
}

export class LobbyView {
  readonly root: HTMLElement;
  readonly banner = bannerElement();
  readonly preview = new VideoTile(true);
  readonly #devices = h('div', { class: 'grid gap-3 @lg:grid-cols-2' });
  readonly #readiness = h('div', { part: 'readiness', class: 'flex flex-col gap-3' });
  /** Re-renders while "I'm Ready" waits for its window ("Opens 11:30 (in 5 minutes)"). */
  #opensTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(header: HTMLElement) {
    this.preview.root.setAttribute('part', 'tile preview');
    this.root = roomBase(
      'lobby',
      header,
      this.banner,
      h(
        'div',
        { class: 'grid gap-4 @3xl:grid-cols-2 items-start' },
        h('div', { class: 'flex flex-col gap-3 min-w-0' }, this.preview.root, this.#devices),
        this.#readiness,
      ),
    );
  }

  /** The camera and microphone drop-downs; `onError` shows why a device could not be used. */
  async renderDevices(media: LocalMedia, onError: (message: LobbyMessage | null) => void): Promise<boolean> {
    const { cameras, microphones } = await media.devices().catch(() => ({ cameras: [], microphones: [] }));
    if (!this.root.isConnected) return false;
    const select = (kind: 'camera' | 'microphone', label: string, devices: MediaDeviceInfo[]) => {
      const id = uid(`md-${kind}`);
      return h(
        'div',
        { class: 'flex flex-col gap-1 min-w-0' },
        h('label', { for: id, class: 'text-sm font-medium' }, label),
        h(
          'select',
          {
            id,
            class: 'field-input',
            'data-device': kind,
            disabled: devices.length === 0,
            value: media.deviceId(kind),
            onchange: async (event: Event) => {
              const target = event.currentTarget as HTMLSelectElement;
              const failure = await media.use(kind, target.value);
              onError(failure ? { text: failure, error: true } : null);
            },
          },
          devices.length
            ? devices.map((d, i) => h('option', { value: d.deviceId }, d.label || `${label} ${i + 1}`))
            : h('option', { value: '' }, `No ${kind} found`),
        ),
      );
    };
    render(this.#devices, select('camera', 'Camera', cameras), select('microphone', 'Microphone', microphones));
    return true;
  }

  renderReadiness(room: Room, headingLevel: number, message: LobbyMessage | null, actions: ReadinessActions): void {
    const { session, isMentor } = room;
    const level = Math.min(6, headingLevel);
    const mentorName = room.names.get(session.mentor) ?? 'The mentor';
    const state = (ready: boolean) =>
      ready ? h('span', { class: 'font-semibold text-success' }, 'Ready') : h('span', { class: 'text-ink-muted' }, 'Not ready yet');
    const rows: Array<[string, Child]> = isMentor
      ? [
          ['You', state(session.mentor_ready)],
          ['Learners ready', h('span', { 'data-ready-learners': session.ready_learner_count }, `${session.ready_learner_count} of ${session.participant_count}`)],
        ]
      : [
          [`${mentorName} (mentor)`, state(session.mentor_ready)],
          ['You', state(Boolean(room.booking?.learner_ready_at))],
        ];
    const buttons: Child[] = [];
    // Too early: the button waits, disabled, saying when it opens in the viewer's time zone.
    const early = session.status === 'scheduled' && Date.now() < Date.parse(session.ready_opens_at);
    this.dispose();
    if (early) this.#opensTimer = setTimeout(actions.refresh, Math.min(60_000, Date.parse(session.ready_opens_at) - Date.now()));
    const readyButton = (label: string) => {
      const button = actions.button(label, 'btn-primary', 'ready', actions.ready);
      if (!early) return button;
      button.disabled = true;
      button.setAttribute('aria-describedby', 'md-room-opens');
      return [button, h('span', { id: 'md-room-opens', class: 'self-center text-sm text-ink-muted', 'data-opens': session.ready_opens_at }, opensAt(session.ready_opens_at))];
    };
    if (isMentor && !session.mentor_ready && session.status === 'scheduled') buttons.push(readyButton("I'm Ready"));
    if (!isMentor && !room.booking?.learner_ready_at) buttons.push(readyButton("Confirm I'm ready"));
    if (session.can_start) {
      buttons.push(actions.button(session.status === 'in_progress' ? 'Join class' : 'Start Class', 'btn-primary', 'start', actions.start));
    }
    rerender(
      this.#readiness,
      h(`h${level}` as 'h3', { class: 'text-base font-semibold' }, 'Who is ready'),
      h(
        'dl',
        { class: 'card divide-y divide-line' },
        rows.map(([who, what]) => h('div', { class: 'flex items-center justify-between gap-3 px-3 py-2 text-sm' }, h('dt', null, who), h('dd', null, what))),
      ),
      !session.can_start &&
        h('p', { class: 'text-sm text-ink-muted' }, 'Start Class appears once the mentor and at least one learner are ready.'),
      buttons.length > 0 && h('div', { class: 'flex flex-wrap gap-2' }, buttons),
      h('p', { class: `text-sm ${message?.error ? 'text-danger' : 'text-ink-muted'}`, role: message?.error ? 'alert' : 'status' }, message?.text ?? ''),
    );
  }

  /** Stops the timer that waits for "I'm Ready" to open. */
  dispose(): void {
    clearTimeout(this.#opensTimer);
  }
}
