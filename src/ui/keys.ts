/** The action a key press requests in an interactive loop. */
export type KeyAction = 'enter' | 'quit' | 'interrupt';

/**
 * Listens for Enter, q and Ctrl-C on stdin. On a terminal stdin goes into raw mode, so keys
 * arrive without Enter and Ctrl-C arrives as the byte 0x03 instead of SIGINT. When stdin is a
 * pipe, the same characters are read from its data. Returns a function that stops listening and
 * restores the terminal.
 */
export function listenForKeys(onKey: (action: KeyAction) => void, stdin: NodeJS.ReadStream = process.stdin): () => void {
  const raw = Boolean(stdin.isTTY);
  const onData = (chunk: Buffer | string) => {
    for (const char of chunk.toString()) {
      if (char === '\u0003') onKey('interrupt');
      else if (char === 'q' || char === 'Q') onKey('quit');
      else if (char === '\r' || char === '\n') onKey('enter');
    }
  };
  if (raw) stdin.setRawMode(true);
  stdin.on('data', onData);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  };
}
