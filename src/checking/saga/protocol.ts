// The create-order saga's message vocabulary, shared by the scripted participants, the expected
// traces and the checks of exercises 10 and 11.

export type Participant = 'inventory' | 'payment' | 'shipping';

/** The participant that handles a command, and the envelope types of its success and failure replies. */
interface CommandSpec {
  participant: Participant;
  success: string;
  failure: string;
}

export const COMMANDS = {
  ReserveInventory: { participant: 'inventory', success: 'InventoryReserved', failure: 'InventoryReservationFailed' },
  ReleaseInventory: { participant: 'inventory', success: 'InventoryReleased', failure: 'InventoryReleaseFailed' },
  AuthorizePayment: { participant: 'payment', success: 'PaymentAuthorized', failure: 'PaymentAuthorizationFailed' },
  VoidPayment: { participant: 'payment', success: 'PaymentVoided', failure: 'PaymentVoidFailed' },
  CapturePayment: { participant: 'payment', success: 'PaymentCaptured', failure: 'PaymentCaptureFailed' },
  ScheduleShipping: { participant: 'shipping', success: 'ShippingScheduled', failure: 'ShippingSchedulingFailed' },
} as const satisfies Record<string, CommandSpec>;

export type CommandType = keyof typeof COMMANDS;

export function isCommandType(type: unknown): type is CommandType {
  return typeof type === 'string' && Object.hasOwn(COMMANDS, type);
}

/** A forward step of the saga, in the order the orchestrator runs them. */
export interface ForwardStep {
  command: CommandType;
  /** The command that undoes this step; none for the pivot and the steps after it. */
  compensation?: CommandType;
  /** Once this step succeeds, the saga only goes forward. */
  pivot?: boolean;
  /** A failure is temporary: the orchestrator sends the command again until it succeeds. */
  retriable?: boolean;
}

export const FORWARD_STEPS: readonly ForwardStep[] = [
  { command: 'ReserveInventory', compensation: 'ReleaseInventory' },
  { command: 'AuthorizePayment', compensation: 'VoidPayment' },
  { command: 'CapturePayment', pivot: true },
  { command: 'ScheduleShipping', retriable: true },
];

export const COMPENSATIONS: ReadonlySet<string> = new Set(FORWARD_STEPS.flatMap((step) => (step.compensation ? [step.compensation] : [])));

/** Returns the forward step that a compensation undoes. */
export function stepUndoneBy(compensation: string): ForwardStep | undefined {
  return FORWARD_STEPS.find((step) => step.compensation === compensation);
}

export const OUTCOME_TYPES = { approved: 'OrderApproved', rejected: 'OrderRejected' } as const;

/** The start command the checker publishes to the orchestrator's start queue. */
export const START_TYPE = 'CreateOrder';

/**
 * One line of a saga's trace, as the checker saw it: a command it received, a reply it sent, or
 * the outcome event the orchestrator published.
 */
export interface TraceEntry {
  /** Milliseconds since the check run started. */
  at: number;
  sagaId: string;
  kind: 'command' | 'reply' | 'outcome';
  /** The participant, or "outcome" for the saga's result. */
  party: Participant | 'outcome';
  type: string;
  commandId?: string;
  /** The failed step of a rejected saga. */
  failedStep?: string;
  /** The queue a command asked its reply to go to (commands only). */
  replyTo?: string;
  /**
   * Marker of an unusual line. "again" marks a command resent with a commandId whose work is done,
   * and the participant's repeated reply to it. "late" marks a reply sent after the outcome, and
   * "duplicate" the second copy of a reply.
   */
  note?: 'again' | 'late' | 'duplicate';
}

/** A trace entry without its time: what expected traces are made of. */
export type TraceLine = Pick<TraceEntry, 'kind' | 'party' | 'type' | 'sagaId' | 'failedStep' | 'note' | 'commandId'>;

const ARROWS = { command: '→', reply: '←', outcome: '⇒' } as const;

/** Formats an entry as a short, stable line, e.g. "→ inventory  ReserveInventory s-3" or "⇒ OrderRejected s-3, AuthorizePayment failed". */
export function formatEntry(entry: TraceLine): string {
  if (entry.kind === 'outcome') return `${ARROWS.outcome} ${entry.type} ${entry.sagaId}${entry.failedStep ? `, ${entry.failedStep} failed` : ''}`;
  const note = entry.note ? ` (${entry.note})` : '';
  return `${ARROWS[entry.kind]} ${entry.party.padEnd(10)} ${entry.type} ${entry.sagaId}${note}`;
}
