/**
 * A failed step. `mistake` names the catalogued common mistake this failure proves, when the
 * check could tell which one; tests assert it, and `hint` keys pick the matching hint.
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
