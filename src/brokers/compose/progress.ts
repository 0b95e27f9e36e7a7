import type { Io } from '../../ui/io.js';

const FRAMES = ['-', '\\', '|', '/'];
// Io.err ends every write with a newline, so a redraw moves the cursor up onto the previous
// spinner line and clears it (ANSI "cursor up" and "erase line") before writing the new one.
const UP_AND_CLEAR = '\x1b[1A\x1b[2K';
const UP = '\x1b[1A';
const FRAME_MS = 150;

export interface Spinner {
  /** Prints a line that stays, above the spinner. */
  print(text: string): void;
  /** Removes the spinner line. */
  stop(): void;
}

/**
 * Shows a spinner line on stderr whose text `describe` renders on every frame. Without a
 * terminal it prints the first text once, and later lines as plain lines, which reads well in
 * CI logs.
 */
export function startSpinner(io: Io, describe: () => string): Spinner {
  if (!io.interactive) {
    io.err(describe());
    return { print: (text) => io.err(text), stop: () => {} };
  }

  let frame = 0;
  let visible = false;
  const draw = () => {
    io.err(`${visible ? UP_AND_CLEAR : ''}${io.colors.cyan(FRAMES[frame++ % FRAMES.length])} ${describe()}`);
    visible = true;
  };
  draw();
  const timer = setInterval(draw, FRAME_MS);
  timer.unref();

  return {
    print(text) {
      io.err(`${visible ? UP_AND_CLEAR : ''}${text}`);
      visible = false;
      draw();
    },
    stop() {
      clearInterval(timer);
      // Clearing the line and stepping up once more leaves the cursor where the spinner was,
      // because Io.err adds a newline after the escape codes.
      if (visible) io.err(UP_AND_CLEAR + UP);
      visible = false;
    },
  };
}
