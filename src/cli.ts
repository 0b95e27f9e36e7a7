import { Command, CommanderError, Option } from 'commander';
import { ExitCode, isCliError } from './errors.js';
import { processIo, type Io } from './ui/io.js';
import { packageVersion } from './paths.js';

// Thin wiring only: each action lazy-imports its command module, so `--help` loads no broker client.

const RUNTIMES = ['docker', 'podman', 'native', 'external'];

function runtimeOption(): Option {
  return new Option('--runtime <name>', 'where the brokers run (default: workspace config, then detection)').choices(RUNTIMES);
}

function brokerOptions(command: Command): Command {
  return command
    .option('--amqp-url <url>', 'RabbitMQ URL (env AMQP_URL; default amqp://guest:guest@127.0.0.1:5672)')
    .option('--kafka-brokers <list>', 'comma-separated Kafka bootstrap servers (env KAFKA_BROKERS; default 127.0.0.1:9092)');
}

export function buildProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command('mq-course');
  const cwd = () => (program.opts().dir as string | undefined) ?? process.cwd();
  const run = async (load: () => Promise<number>) => setExitCode(await load());

  program
    .description('Hands-on tutor for asynchronous messaging: RabbitMQ, Kafka and sagas, checked against real brokers.')
    .version(packageVersion(), '-V, --version')
    .option('-C, --dir <path>', 'run as if started in this folder')
    .option('--debug', 'print stack traces and broker client logs')
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, '')), writeErr: (s) => io.err(s.replace(/\n$/, '')) })
    .exitOverride();

  program
    .command('init')
    .description('scaffold a course workspace with the day\'s exercises')
    .argument('[dir]', 'folder to create or fill (default: prompt, else ./mq-course-day4)')
    .option('-y, --yes', 'accept every default without prompting')
    .option('--with-solutions', 'scaffold the reference solutions instead of the starters')
    .option('--force', 'overwrite files that already exist')
    .addOption(runtimeOption())
    .action((dir, options) => run(async () => (await import('./commands/init.js')).init({ ...options, dir, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('up')
      .description('start the brokers and wait until they answer')
      .argument('[broker]', 'rabbitmq or kafka (default: both)')
      .addOption(runtimeOption())
      .option('--pull', 'pull the pinned images first (docker and podman; needs the network)')
      .option('--timeout <seconds>', 'how long to wait for each broker to become ready', '120'),
  ).action((broker, options) => run(async () => (await import('./commands/up.js')).up({ ...options, broker, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('down')
      .description('stop the brokers that `up` started (brokers found running are left alone)')
      .argument('[broker]', 'rabbitmq or kafka (default: both)')
      .addOption(runtimeOption()),
  ).action((broker, options) => run(async () => (await import('./commands/down.js')).down({ ...options, broker, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('status')
      .description('show whether each broker answers, where, and which version')
      .addOption(runtimeOption()),
  ).action((options) => run(async () => (await import('./commands/status.js')).status({ ...options, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('logs')
      .description('print the recent log lines of the brokers')
      .argument('[broker]', 'rabbitmq or kafka (default: both)')
      .addOption(runtimeOption())
      .option('-f, --follow', 'keep printing new lines until Ctrl-C')
      .option('-n, --lines <count>', 'how many recent lines to print per broker', '50'),
  ).action((broker, options) => run(async () => (await import('./commands/logs.js')).logs({ ...options, broker, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('doctor')
      .description('check Node.js, Docker or Podman, images, ports, brokers and the workspace, with a fix for each problem')
      .addOption(runtimeOption()),
  ).action((options) => run(async () => (await import('./commands/doctor.js')).doctor({ ...options, cwd: cwd() }, io)));

  brokerOptions(
    program
      .command('check')
      .description('run the checkpoint checks of a day or of one exercise')
      .argument('<day>', 'the course day, e.g. day4')
      .argument('[exercise]', 'exercise id or number, e.g. 01-work-queue or 1 (default: every exercise)')
      .option('--json', 'print one JSON object per exercise instead of the report')
      .addOption(new Option('--reporter <name>', 'report format').choices(['pretty', 'json', 'junit']).default('pretty'))
      .option('--repeat <n>', 'run the checks n times and report the pass rate', '1')
      .option('--keep-going', 'go on with the next exercise after a failure'),
  ).action((day, exercise, options) =>
    run(async () => (await import('./commands/check.js')).check({ ...options, day, exercise, cwd: cwd(), debug: program.opts().debug }, io)),
  );

  return program;
}

/** Runs the CLI and returns the exit code; only bin/mq-course.js turns it into process.exitCode. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return reportError(error, io, argv.includes('--debug'));
  }
}

function reportError(error: unknown, io: Io, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Help and version are printed through exitOverride too; they are not failures.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (isCliError(error)) {
    if (error.exitCode === ExitCode.interrupted) {
      io.err(error.message);
      return error.exitCode;
    }
    io.err(`${io.colors.red('error:')} ${error.message}`);
    if (error.next) io.err(`${io.colors.dim('next:')}  ${error.next}`);
    if (debug && error.stack) io.err(error.stack);
    return error.exitCode;
  }
  if (isPromptCancel(error)) {
    io.err('Cancelled.');
    return ExitCode.interrupted;
  }
  io.err(`${io.colors.red('internal error:')} ${(error as Error)?.message ?? String(error)}`);
  io.err((error as Error)?.stack ?? '');
  io.err('This is a bug in mq-course. Run again with --debug and report the output above.');
  return ExitCode.internal;
}

// @inquirer/prompts rejects with ExitPromptError when the user presses Ctrl-C at a prompt.
function isPromptCancel(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === 'ExitPromptError';
}
