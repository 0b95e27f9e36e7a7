#!/usr/bin/env node
// Loads the compiled CLI. `npm install` in a git clone builds dist/ through the prepare script.
import { main } from '../dist/src/cli.js';

process.exitCode = await main(process.argv);
