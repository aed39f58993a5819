/**
 * The local side of a class: camera and microphone (with a choice of device), mute and camera
 * off, and screen sharing.
 *
 * `outgoing` is the one stream every peer connection sends: the microphone, and the shared screen
 * while sharing, else the camera. Its tracks are swapped in place; `onChange` tells the call, which
 * moves each connection's senders over with `replaceTrack` (no renegotiation).
 */

/** What this side sends, as the other side shows it (mute and camera-off indicators). */
export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
}

type Kind = 'camera' | 'microphone';

/** A sentence for the user about a failed getUserMedia/getDisplayMedia call. */
export function describeMediaError(error: unknown, what = 'camera and microphone'): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return `Access to the ${what} was refused. Allow it in your browser's site settings, then reload.`;
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${what} was found.`;
  if (name === 'NotReadableError' || name === 'AbortError') return `The ${what} is in use by another application.`;
  return `The ${what} could not be started.`;
}

const mediaDevices = (): MediaDevices | undefined => (globalThis.navigator as Navigator | undefined)?.mediaDevices;

export class LocalMedia {
  readonly outgoing = new MediaStream();
  #camera: MediaStreamTrack | null = null;
  #microphone: MediaStreamTrack | null = null;
  #screen: MediaStreamTrack | null = null;
  #audioEnabled = true;
  #videoEnabled = true;
  #stopped = false;
  #starting = false;

  constructor(private readonly onChange: () => void) {}

  get state(): MediaState {
    return {
      audio: Boolean(this.#microphone) && this.#audioEnabled,
      video: Boolean(this.#screen) || (Boolean(this.#camera) && this.#videoEnabled),
      screen: Boolean(this.#screen),
    };
  }

  get audioTrack(): MediaStreamTrack | null {
    return this.#microphone;
  }

  /** The video being sent: the screen while sharing, else the camera. */
  get videoTrack(): MediaStreamTrack | null {
    return this.#screen ?? this.#camera;
  }

  /** True while start() is still asking for the camera and microphone. */
  get starting(): boolean {
    return this.#starting;
  }

  get hasCamera(): boolean {
    return Boolean(this.#camera);
  }

  get hasMicrophone(): boolean {
    return Boolean(this.#microphone);
  }

  get audioEnabled(): boolean {
    return this.#audioEnabled;
  }

  get videoEnabled(): boolean {
    return this.#videoEnabled;
  }

  get sharing(): boolean {
    return Boolean(this.#screen);
  }

  get canShareScreen(): boolean {
    return typeof mediaDevices()?.getDisplayMedia === 'function';
  }

  deviceId(kind: Kind): string {
    return (kind === 'camera' ? this.#camera : this.#microphone)?.getSettings().deviceId ?? '';
  }

  /**
   * Opens the default camera and microphone. Returns null, or a sentence saying what is missing
   * (a device that cannot be opened does not keep the other one from working).
   */
  async start(): Promise<string | null> {
    const devices = mediaDevices();
    if (!devices?.getUserMedia) return 'This browser cannot use a camera or microphone here (a secure https page is needed).';
    this.#starting = true;
    try {
      return await this.#open(devices);
    } finally {
      this.#starting = false;
    }
  }

  async #open(devices: MediaDevices): Promise<string | null> {
    try {
      this.#adopt(await devices.getUserMedia({ audio: true, video: true }));
      return null;
    } catch (error) {
      const [video, audio] = await Promise.allSettled([devices.getUserMedia({ video: true }), devices.getUserMedia({ audio: true })]);
      for (const result of [video, audio]) if (result.status === 'fulfilled') this.#adopt(result.value);
      if (video.status === 'rejected' && audio.status === 'rejected') return describeMediaError(error);
      if (video.status === 'rejected') return `${describeMediaError(video.reason, 'camera')} The others can hear you but not see you.`;
      if (audio.status === 'rejected') return `${describeMediaError(audio.reason, 'microphone')} The others can see you but not hear you.`;
      return null;
    }
  }

  /** The cameras and microphones to choose from (labelled once access was granted). */
  async devices(): Promise<DeviceLists> {
    const all = (await mediaDevices()?.enumerateDevices()) ?? [];
    return { cameras: all.filter((d) => d.kind === 'videoinput'), microphones: all.filter((d) => d.kind === 'audioinput') };
  }

  /** Switches to another camera or microphone; returns an error sentence or null. */
  async use(kind: Kind, deviceId: string): Promise<string | null> {
    const constraints = { deviceId: { exact: deviceId } };
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await mediaDevices()!.getUserMedia(kind === 'camera' ? { video: constraints } : { audio: constraints });
      track = kind === 'camera' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    } catch (error) {
      return describeMediaError(error, kind);
    }
    if (!track) return describeMediaError(null, kind);
    if (this.#stopped) {
      track.stop();
      return null;
    }
    const old = kind === 'camera' ? this.#camera : this.#microphone;
    this.#set(kind, track);
    old?.stop();
    return null;
  }

  setAudioEnabled(enabled: boolean): void {
    this.#audioEnabled = enabled;
    if (this.#microphone) this.#microphone.enabled = enabled;
    this.onChange();
  }

  setVideoEnabled(enabled: boolean): void {
    this.#videoEnabled = enabled;
    if (this.#camera) this.#camera.enabled = enabled;
    this.onChange();
  }

  /**
   * Shares a screen, window or tab instead of the camera. Returns an error sentence or null (also
   * when the user cancelled the browser's picker). Sharing ends with `stopSharing()` or when the
   * browser's own "Stop sharing" ends the track.
   */
  async shareScreen(): Promise<string | null> {
    if (this.#screen || !this.canShareScreen) return null;
    let track: MediaStreamTrack | undefined;
    try {
      track = (await mediaDevices()!.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0];
    } catch (error) {
      return error instanceof DOMException && error.name === 'NotAllowedError' ? null : describeMediaError(error, 'screen');
    }
    if (!track) return null;
    if (this.#stopped) {
      track.stop();
      return null;
    }
    track.addEventListener('ended', () => this.stopSharing(), { once: true });
    this.#screen = track;
    this.#syncOutgoing();
    return null;
  }

  /** Back to the camera. */
  stopSharing(): void {
    const screen = this.#screen;
    if (!screen) return;
    this.#screen = null;
    this.#syncOutgoing();
    screen.stop();
  }

  /** Stops every track (the camera light goes off). */
  stop(): void {
    this.#stopped = true;
    for (const track of [this.#camera, this.#microphone, this.#screen]) track?.stop();
    this.#camera = this.#microphone = this.#screen = null;
    for (const track of this.outgoing.getTracks()) this.outgoing.removeTrack(track);
  }

  #adopt(stream: MediaStream): void {
    if (this.#stopped) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    const camera = stream.getVideoTracks()[0];
    const microphone = stream.getAudioTracks()[0];
    if (camera) this.#set('camera', camera);
    if (microphone) this.#set('microphone', microphone);
  }

  #set(kind: Kind, track: MediaStreamTrack): void {
    if (kind === 'camera') {
      track.enabled = this.#videoEnabled;
      this.#camera = track;
    } else {
      track.enabled = this.#audioEnabled;
      this.#microphone = track;
    }
    this.#syncOutgoing();
  }

  /** Makes `outgoing` hold exactly the tracks to send, then tells the call. */
  #syncOutgoing(): void {
    const wanted = [this.#microphone, this.videoTrack].filter((t): t is MediaStreamTrack => t !== null);
    for (const track of this.outgoing.getTracks()) if (!wanted.includes(track)) this.outgoing.removeTrack(track);
    for (const track of wanted) if (!this.outgoing.getTracks().includes(track)) this.outgoing.addTrack(track);
    this.onChange();
  }
}
