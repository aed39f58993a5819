/**
 * A progress line on stderr for operations that take more than a moment (migrate, seed): a spinner
 * redrawn in place on a terminal, plain lines otherwise (logs and pipes get one line per step and
 * no control characters). The outcome itself is printed by the command, on stdout.
 */
import { paint } from './output.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_LINE = '\r\x1b[2K';

export interface Progress {
  /** Names the step now running. */
  update(text: string): void;
}

/** The running spinner, so Ctrl-C can restore the cursor before exiting. */
let active: { stop(): void } | undefined;

export function stopActiveProgress(): void {
  active?.stop();
}

function plainLines(stream: NodeJS.WriteStream): Progress & { stop(): void } {
  let last = '';
  return {
    update(text) {
      if (text === last) return;
      last = text;
      stream.write(`${text}…\n`);
    },
    stop() {},
  };
}

function spinner(stream: NodeJS.WriteStream): Progress & { stop(): void } {
  let text = '';
  let frame = 0;
  const draw = () => stream.write(`${CLEAR_LINE}${paint(stream, 'cyan', FRAMES[frame++ % FRAMES.length]!)} ${text}`);
  const timer = setInterval(draw, 80);
  stream.write(HIDE_CURSOR);
  return {
    update(next) {
      text = next;
      draw();
    },
    stop() {
      clearInterval(timer);
      stream.write(`${CLEAR_LINE}${SHOW_CURSOR}`);
    },
  };
}

/** Runs `work` under a progress line that starts with `text`; the line is gone when it settles. */
export async function withProgress<T>(text: string, work: (progress: Progress) => Promise<T>): Promise<T> {
  const stream = process.stderr;
  const progress = stream.isTTY ? spinner(stream) : plainLines(stream);
  active = progress;
  progress.update(text);
  try {
    return await work(progress);
  } finally {
    progress.stop();
    active = undefined;
  }
}
