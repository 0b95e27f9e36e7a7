"""Runs a command in a pseudo-terminal and plays a conversation with it.

Usage: python3 pty-run.py STEPS_JSON -- COMMAND [ARGS...]

STEPS_JSON is a list of {"expect": regex, "send": text, "copy": [from, to], "timeout": seconds}.
Each step waits until the regex matches the terminal output (ANSI escapes removed) that arrived
after the previous match, then copies the file `from` over `to` (to play a learner saving a
file), then writes `send` to the terminal. After the last step the script waits for
the command to exit, prints everything it wrote, and exits with its exit code (128 + n when a
signal n killed it). A step or the final wait that runs out of time prints the output, a
PTY-TIMEOUT line on stderr, kills the command and exits 124.
"""
import fcntl, json, os, pty, re, select, shutil, signal, struct, sys, termios, time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def main():
    steps = json.loads(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    # 30 rows by 100 columns, so prompts do not wrap at a zero width.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    output = bytearray()
    searched_from = 0

    def read_some(deadline):
        ready, _, _ = select.select([fd], [], [], max(0, min(0.1, deadline - time.time())))
        if not ready:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        output.extend(chunk)
        return True

    def fail(reason):
        sys.stdout.write(ANSI.sub(b"", bytes(output)).decode("utf-8", "replace"))
        sys.stderr.write(f"PTY-TIMEOUT {reason}\n")
        os.kill(pid, signal.SIGKILL)
        sys.exit(124)

    for step in steps:
        deadline = time.time() + step.get("timeout", 60)
        pattern = re.compile(step["expect"].encode())
        while True:
            plain = ANSI.sub(b"", bytes(output))
            match = pattern.search(plain, searched_from)
            if match:
                searched_from = match.end()
                break
            if time.time() > deadline or not read_some(deadline):
                fail(f"waiting for /{step['expect']}/")
        if step.get("copy"):
            shutil.copyfile(*step["copy"])
        if step.get("send"):
            try:
                os.write(fd, step["send"].encode())
            except OSError:
                pass  # the command already exited, and the test asserts its exit code

    deadline = time.time() + 120
    while read_some(deadline):
        if time.time() > deadline:
            fail("waiting for the command to exit")
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(ANSI.sub(b"", bytes(output)).decode("utf-8", "replace"))
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
