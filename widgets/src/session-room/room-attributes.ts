/** The attributes of `<session-room>` as properties (documented on the element). */
import { WidgetElement } from '../shared/base-element.ts';

const isIceServer = (value: unknown): value is RTCIceServer =>
  typeof value === 'object' && value !== null && (typeof (value as RTCIceServer).urls === 'string' || Array.isArray((value as RTCIceServer).urls));

export abstract class RoomAttributes extends WidgetElement {
  static override readonly observedAttributes = [...WidgetElement.observedAttributes, 'session-id', 'ice-servers', 'heading-level'];

  /** The session whose class this is; null when the attribute is missing or invalid. */
  get sessionId(): number | null {
    const id = Number(this.getAttribute('session-id'));
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  }
  set sessionId(value: number | null) {
    if (value === null) this.removeAttribute('session-id');
    else this.setAttribute('session-id', String(value));
  }

  /** ICE servers from the `ice-servers` attribute; null (ask the API) when absent or invalid. */
  get iceServers(): RTCIceServer[] | null {
    const raw = this.getAttribute('ice-servers');
    if (raw === null) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) && parsed.every(isIceServer) ? parsed : null;
    } catch {
      return null;
    }
  }
  set iceServers(value: RTCIceServer[] | null) {
    if (value === null) this.removeAttribute('ice-servers');
    else this.setAttribute('ice-servers', JSON.stringify(value));
  }

  get headingLevel(): number {
    const level = Number(this.getAttribute('heading-level'));
    return Number.isInteger(level) && level >= 1 && level <= 6 ? level : 2;
  }
  set headingLevel(value: number) {
    this.setAttribute('heading-level', String(value));
  }
}
