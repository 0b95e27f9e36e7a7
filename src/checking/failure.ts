/**
 * A failed step. When the check could identify the common mistake behind the failure, `mistake`
 * names it: tests assert it, and the hint keyed to the failed step comes first.
 */
export class CheckFailure extends Error {
  readonly code = 'MQ_COURSE_CHECK_FAILURE';
  constructor(
    message: string,
    readonly details: {
      mistake?: string;
      expected?: string;
      actual?: string;
      next?: string;
      /** Two sequences (a saga's command/reply trace, say) that the report prints side by side, marking the first difference. */
      comparison?: { expected: string[]; actual: string[] };
    } = {},
  ) {
    super(message);
  }
}

export function isCheckFailure(error: unknown): error is CheckFailure {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'MQ_COURSE_CHECK_FAILURE';
}

/** Fails the current step with a learner-facing message. */
export function fail(message: string, details: CheckFailure['details'] = {}): never {
  throw new CheckFailure(message, details);
}
