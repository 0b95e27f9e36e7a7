#!/usr/bin/env node
// Loads the compiled CLI. `npm install` in a git clone builds dist/ through the prepare script.
import { main } from '../dist/src/cli.js';

const exitCode = await main(process.argv);
process.exitCode = exitCode;

// The command has finished and printed its verdict. A step abandoned by Ctrl-C may still hold a
// timer or a socket for a few seconds; the process must not wait for it. The timer is unref'd,
// so a process with nothing left to do exits at once, as usual.
setTimeout(() => process.exit(exitCode), 500).unref();
