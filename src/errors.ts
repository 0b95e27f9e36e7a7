// Exit codes of the CLI. The README lists them; tests assert them.
export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  environment: 3,
  internal: 70,
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can act on. Its message is printed as it is, without a stack trace, and
 * the process exits with its exit code. Recognised by `code`, not `instanceof`, so a second
 * copy of this module (tests, linked installs) still matches.
 */
export class CliError extends Error {
  readonly code = 'MQ_COURSE_CLI_ERROR';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly next?: string,
  ) {
    super(message);
  }
}

export function isCliError(error: unknown): error is CliError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'MQ_COURSE_CLI_ERROR';
}

export function usageError(message: string, next?: string): CliError {
  return new CliError(message, ExitCode.usage, next);
}

export function environmentError(message: string, next?: string): CliError {
  return new CliError(message, ExitCode.environment, next);
}

/** Thrown when the user presses Ctrl-C at a prompt or during a run. */
export class InterruptedError extends CliError {
  constructor() {
    super('Interrupted.', ExitCode.interrupted);
  }
}
