import type { Io } from '../../ui/io.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
// Io.err always ends a line, so the spinner redraws by moving the cursor up one line and clearing it.
const REDRAW = '\x1b[1A\x1b[2K';

export interface Progress {
  /** Sets the current step, e.g. "fetching Kafka 4.1.2 jars with mvn". */
  step(text: string): void;
  /** Replaces the spinner with the final line of this broker. */
  done(line: string): void;
  /** Stops the spinner without a final line (an error follows). */
  stop(): void;
  elapsedSeconds(): string;
}

/**
 * Reports the progress of one broker on stderr: on an interactive terminal a spinner line with
 * the elapsed seconds, otherwise one plain line per step, which reads well in CI logs.
 */
export function startProgress(io: Io, broker: string, now: () => number = Date.now): Progress {
  const started = now();
  const label = broker.padEnd(9);
  const elapsedSeconds = () => ((now() - started) / 1000).toFixed(1);
  let text = '';
  let frame = 0;
  let drawn = false;
  let timer: NodeJS.Timeout | undefined;

  const draw = () => {
    const line = `${io.colors.cyan(FRAMES[frame++ % FRAMES.length])} ${label} ${text} ${io.colors.dim(`${elapsedSeconds()} s`)}`;
    io.err(drawn ? REDRAW + line : line);
    drawn = true;
  };
  const clear = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };

  return {
    step(next) {
      if (next === text) return;
      text = next;
      if (!io.interactive) {
        io.err(`${label} ${next}`);
        return;
      }
      draw();
      if (!timer) {
        timer = setInterval(draw, 200);
        timer.unref();
      }
    },
    done(line) {
      clear();
      io.err(io.interactive && drawn ? REDRAW + line : line);
    },
    stop() {
      clear();
    },
    elapsedSeconds,
  };
}
