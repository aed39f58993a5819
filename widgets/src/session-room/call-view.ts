/**
 * The call: a video feed per participant (ours first), the call controls (mute, camera, share
 * screen, leave, and the mentor's "End class" with its confirmation), an error line, and the chat.
 */
import { h, type Child } from '../shared/dom.ts';
import type { RemoteView } from './call.ts';
import { cameraIcon, cameraOffIcon, endIcon, leaveIcon, micIcon, micOffIcon, screenIcon } from './icons.ts';
import type { LocalMedia } from './media.ts';
import { describeQuality, type Quality } from './quality.ts';
import { bannerElement, roomBase, rerender, type ButtonFactory } from './room-view.ts';
import { VideoTile } from './tiles.ts';

export interface ControlActions {
  button: ButtonFactory;
  isMentor: boolean;
  leave(): void;
  end(): void;
}

function remoteOverlay(remote: RemoteView): string | null {
  if (!remote.stream) return remote.status === 'reconnecting' ? 'Reconnecting…' : 'Connecting…';
  if (remote.media && !remote.media.video) return 'Camera off';
  return null;
}

export class CallView {
  readonly root: HTMLElement;
  readonly banner = bannerElement();
  readonly local = new VideoTile(true);
  readonly remotes = new Map<string, VideoTile>();
  readonly controls = h('div', { part: 'controls', role: 'group', 'aria-label': 'Call controls', class: 'flex flex-wrap items-center gap-2' });
  readonly error = h('p', { class: 'text-sm text-danger', role: 'alert' });
  /** "Your connection is poor": what we send arrives late or lossy at every other member. */
  readonly poorConnection = h('div', {
    part: 'poor-connection',
    role: 'status',
    class: 'rounded-widget border border-red-300 bg-red-50 px-3 py-2 text-sm font-medium text-red-900',
    hidden: true,
  });
  readonly #tiles = h('div', { part: 'videos', class: 'grid gap-3 grid-cols-1 @xl:grid-cols-2' }, this.local.root);
  /** The mentor pressed "End class": ask "End the class for everyone?". */
  #confirmEnd = false;

  constructor(header: HTMLElement, chat: HTMLElement) {
    this.root = roomBase(
      'call',
      header,
      this.banner,
      this.poorConnection,
      h(
        'div',
        { class: 'grid gap-4 @4xl:grid-cols-[minmax(0,1fr)_20rem] items-stretch' },
        h('section', { class: 'flex flex-col gap-3 min-w-0', 'aria-label': 'Video' }, this.#tiles, this.controls, this.error),
        chat,
      ),
    );
  }

  /** One tile per remote member, kept in place (a feed never restarts for another's change). */
  renderRemotes(remotes: RemoteView[], nameOf: (remote: RemoteView) => string): void {
    for (const [peer, tile] of this.remotes) {
      if (remotes.some((r) => r.member.peer === peer)) continue;
      tile.root.remove();
      this.remotes.delete(peer);
    }
    for (const remote of remotes) {
      let tile = this.remotes.get(remote.member.peer);
      if (!tile) {
        tile = new VideoTile(false);
        this.remotes.set(remote.member.peer, tile);
        this.#tiles.append(tile.root);
      }
      tile.root.dataset.peer = remote.member.peer;
      tile.root.dataset.role = remote.member.role;
      tile.root.dataset.status = remote.status;
      tile.show({
        name: nameOf(remote),
        stream: remote.stream,
        overlay: remoteOverlay(remote),
        muted: remote.media ? !remote.media.audio : false,
        sharing: remote.media?.screen ?? false,
      });
      if (remote.status !== 'connected') tile.showQuality(null);
    }
  }

  /** Shows (our outbound `quality`, poor) or hides (null) the "Your connection is poor" banner. */
  showPoorConnection(quality: Quality | null): void {
    this.poorConnection.hidden = quality === null;
    this.poorConnection.textContent = quality ? `Your connection is poor: the others may see and hear you late or in bits (${describeQuality(quality)}).` : '';
  }

  renderControls(media: LocalMedia, actions: ControlActions): void {
    const { button } = actions;
    const toggle = (label: string, action: string, icon: SVGSVGElement, disabled: boolean, onclick: () => void) =>
      h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': action, disabled, onclick }, icon, label);
    const controls: Child[] = [
      toggle(media.audioEnabled ? 'Mute' : 'Unmute', 'mute', media.audioEnabled ? micIcon() : micOffIcon(), !media.hasMicrophone, () =>
        media.setAudioEnabled(!media.audioEnabled),
      ),
      toggle(media.videoEnabled ? 'Camera off' : 'Camera on', 'camera', media.videoEnabled ? cameraIcon() : cameraOffIcon(), !media.hasCamera, () =>
        media.setVideoEnabled(!media.videoEnabled),
      ),
      media.canShareScreen &&
        toggle(media.sharing ? 'Stop sharing' : 'Share screen', 'share', screenIcon(), false, () => {
          if (media.sharing) media.stopSharing();
          else void media.shareScreen().then((failure) => failure && (this.error.textContent = failure));
        }),
      button('Leave', 'btn-danger', 'leave', actions.leave, leaveIcon()),
    ];
    if (actions.isMentor) {
      const confirm = (open: boolean) => {
        this.#confirmEnd = open;
        this.renderControls(media, actions);
        this.controls.querySelector<HTMLButtonElement>(open ? '[data-action="confirm-end"]' : '[data-action="end"]')?.focus();
      };
      controls.push(
        this.#confirmEnd
          ? h(
              'span',
              { class: 'inline-flex flex-wrap items-center gap-2', role: 'group', 'aria-label': 'End the class for everyone?' },
              h('span', { class: 'text-sm font-medium' }, 'End the class for everyone?'),
              button('End class now', 'btn-danger', 'confirm-end', actions.end),
              button('Keep teaching', 'btn-secondary', 'cancel-end', () => confirm(false)),
            )
          : button('End class', 'btn-danger', 'end', () => confirm(true), endIcon()),
      );
    }
    rerender(this.controls, controls);
  }
}
