// After the whole suite: no queue, exchange, topic, consumer group or learner process of any
// check run may remain. Objects that existed before the suite started are not ours and are ignored.
import os from 'node:os';
import { leftoversOf } from './helpers/leftovers.js';

let before = new Set<string>();

// Test workspaces live in temp folders named mq-course-*; learner programs run with them as cwd and in their paths.
const LEARNER_MARKER = `${os.tmpdir()}/mq-course-`;

export async function setup(): Promise<void> {
  before = new Set(await leftoversOf('mqc-', LEARNER_MARKER).catch(() => []));
}

export async function teardown(): Promise<void> {
  // Another process may be mid-run on the same brokers (a developer's shell); what it owns goes
  // away within seconds, a leak does not.
  let leaks: string[] = [];
  for (let attempt = 0; attempt < 15; attempt++) {
    leaks = (await leftoversOf('mqc-', LEARNER_MARKER)).filter((item) => !before.has(item));
    if (leaks.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  // An error thrown here is printed but does not change vitest's exit code (vitest 4), so set it.
  console.error(`Check runs left these behind:\n  ${leaks.join('\n  ')}`);
  process.exitCode = 1;
}
