// Scripted saga participants: the checker plays inventory, payment and shipping for the
// learner's orchestrator, replies per a script keyed by sagaId, and records the exact trace.
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, ConsumeMessage } from '../../clients/rabbitmq.js';
import type { RabbitTools } from '../rabbit.js';
import type { Behaviour, SagaScript } from './expected.js';
import { COMMANDS, formatEntry, type CommandType, type Participant, type TraceEntry } from './protocol.js';
import { describeCommandProblem, describeOutcomeProblem, type ContractProblem } from './validate.js';

export interface ParticipantQueues {
  inventory: string;
  payment: string;
  shipping: string;
}

/** A command as the participant received it, with where its reply goes. */
interface ReceivedCommand {
  sagaId: string;
  commandId: string;
  type: CommandType;
  replyTo: string;
}

// RabbitMQ 3.10 returns a mandatory publish to a direct reply-to name as NO_ROUTE even when it
// delivers it, so a return proves nothing for those names.
const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** The envelope of a participant's reply. */
type ReplyBody = ReturnType<typeof replyBody>;

function replyBody(command: ReceivedCommand, ok: boolean) {
  const spec = COMMANDS[command.type];
  return {
    id: randomUUID(),
    type: ok ? spec.success : spec.failure,
    source: spec.participant,
    time: new Date().toISOString(),
    subject: command.sagaId,
    data: { sagaId: command.sagaId, commandId: command.commandId, ok, ...(ok ? {} : { reason: `${spec.participant} rejected ${command.type} (scripted by the checker)` }) },
  };
}

export class SagaParticipants {
  readonly entries: TraceEntry[] = [];
  /** Contract violations in what the orchestrator sent; the running step fails on the first one. */
  readonly problems: ContractProblem[] = [];
  /** Reply queues that a reply could not reach (the broker returned it as unroutable). */
  readonly unroutable: string[] = [];
  private readonly scripts = new Map<string, SagaScript>();
  private readonly attempts = new Map<string, number>();
  /** Command ids whose work was done, so a resend with the same id gets the success reply again. */
  private readonly done = new Set<string>();
  private readonly typeOfCommandId = new Map<string, CommandType>();
  private readonly held = new Map<string, ReceivedCommand>();
  private readonly late = new Map<string, ReceivedCommand[]>();
  /** The command and reply body of each saga whose "twice" reply still owes its copy, by sagaId. */
  private readonly duplicates = new Map<string, { command: ReceivedCommand; body: ReplyBody }>();
  private readonly listeners = new Set<() => void>();
  /** The reply queue of each reply awaiting its confirm, by message id, to match returns. */
  private readonly inFlight = new Map<string, string>();
  private publisher?: Promise<ConfirmChannel>;
  private closed = false;

  private constructor(
    private readonly rabbit: RabbitTools,
    private readonly clock: () => number,
    private readonly trace: (line: string) => void,
  ) {}

  /** Declares the participants' command queues and the outcome queue, and starts consuming them. */
  static async start(rabbit: RabbitTools, queues: ParticipantQueues, outcomeQueue: string, clock: () => number, trace: (line: string) => void): Promise<SagaParticipants> {
    const participants = new SagaParticipants(rabbit, clock, trace);
    const channel = await rabbit.openChannel();
    channel.on('close', () => (participants.closed = true));
    for (const [participant, queue] of Object.entries(queues) as Array<[Participant, string]>) {
      await rabbit.declareQueue(queue, { durable: true });
      await channel.consume(queue, (message) => message && participants.onCommand(participant, queue, message), { noAck: true });
    }
    await rabbit.declareQueue(outcomeQueue, { durable: true });
    await channel.consume(outcomeQueue, (message) => message && participants.onOutcome(outcomeQueue, message), { noAck: true });
    return participants;
  }

  /** Sets how the participants reply to the commands of one saga; sagas without a script always succeed. */
  script(sagaId: string, script: SagaScript): void {
    this.scripts.set(sagaId, script);
  }

  entriesOf(sagaId: string): TraceEntry[] {
    return this.entries.filter((entry) => entry.sagaId === sagaId);
  }

  linesOf(sagaId: string): string[] {
    return this.entriesOf(sagaId).map(formatEntry);
  }

  outcomeOf(sagaId: string): TraceEntry | undefined {
    return this.entries.find((entry) => entry.sagaId === sagaId && entry.kind === 'outcome');
  }

  /** Resolves true once `predicate` holds, false after `timeoutMs` or as soon as a contract problem appears. */
  waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.problems.length) return finish(false);
        if (predicate()) finish(true);
      };
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(result);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Sends the reply a "hold" behaviour kept back; resolves once the broker has confirmed it. */
  async release(sagaId: string, type: CommandType): Promise<void> {
    const command = this.held.get(`${sagaId}/${type}`);
    if (!command) throw new Error(`no held ${type} command for saga ${sagaId}`);
    this.held.delete(`${sagaId}/${type}`);
    await this.reply(command, true);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private record(entry: Omit<TraceEntry, 'at'>, detail = ''): void {
    const full = { ...entry, at: this.clock() };
    this.entries.push(full);
    this.trace(`${formatEntry(full)}${detail}`);
    this.notify();
  }

  private problem(problem: ContractProblem): void {
    this.problems.push(problem);
    this.trace(`contract problem: ${problem.message}`);
    this.notify();
  }

  private onCommand(participant: Participant, queue: string, message: ConsumeMessage): void {
    const checked = describeCommandProblem(participant, queue, message, this.typeOfCommandId);
    if ('problem' in checked) return this.problem(checked.problem);
    const command: ReceivedCommand = checked.command;
    this.typeOfCommandId.set(command.commandId, command.type);

    const again = this.done.has(command.commandId);
    this.record({ kind: 'command', party: participant, type: command.type, sagaId: command.sagaId, commandId: command.commandId, replyTo: command.replyTo, note: again ? 'again' : undefined }, `  commandId ${command.commandId}`);
    const stale = this.duplicates.get(command.sagaId);
    if (!stale) return this.respond(command, again);
    this.duplicates.delete(command.sagaId);
    void this.sendStaleDuplicate(stale.command, stale.body).then(() => this.respond(command, again));
  }

  /** Replies to a command as the saga's script says. */
  private respond(command: ReceivedCommand, again: boolean): void {
    if (this.closed) return;
    if (again) return this.later(command, () => void this.reply(command, true, 'again'));

    const behaviour = this.nextBehaviour(command);
    if (behaviour !== 'fail') this.done.add(command.commandId);
    switch (behaviour) {
      case 'ok':
        return this.later(command, () => void this.reply(command, true));
      case 'fail':
        return this.later(command, () => void this.reply(command, false));
      case 'twice':
        return this.later(command, () => {
          // Set before the reply goes out, so the next command, which the reply causes, finds it.
          const body = replyBody(command, true);
          this.duplicates.set(command.sagaId, { command, body });
          void this.reply(command, true, undefined, body);
        });
      case 'late':
        this.late.set(command.sagaId, [...(this.late.get(command.sagaId) ?? []), command]);
        return;
      case 'hold':
        this.held.set(`${command.sagaId}/${command.type}`, command);
        this.notify();
        return;
      case 'silent':
        return;
    }
  }

  /**
   * Sends the copy of a "twice" reply after the orchestrator has moved on to the next command,
   * then waits the script's duplicateWindowMs, during which the saga waits for a reply that does
   * not exist yet: any command the orchestrator sends then is a reaction to the stale copy.
   */
  private async sendStaleDuplicate(command: ReceivedCommand, body: ReplyBody): Promise<void> {
    await this.reply(command, true, 'duplicate', body);
    const windowMs = this.scripts.get(command.sagaId)?.duplicateWindowMs ?? 0;
    if (windowMs > 0) await new Promise((resolve) => setTimeout(resolve, windowMs));
  }

  private nextBehaviour(command: ReceivedCommand): Behaviour {
    const key = `${command.sagaId}/${command.type}`;
    const index = this.attempts.get(key) ?? 0;
    this.attempts.set(key, index + 1);
    return this.scripts.get(command.sagaId)?.attempts?.[command.type]?.[index] ?? 'ok';
  }

  /** Runs `send` after the saga's reply delay. */
  private later(command: ReceivedCommand, send: () => void): void {
    const delay = this.scripts.get(command.sagaId)?.replyDelayMs;
    const ms = typeof delay === 'function' ? delay(command.type) : (delay ?? 0);
    if (ms <= 0) return send();
    setTimeout(send, ms);
  }

  private channel(): Promise<ConfirmChannel> {
    if (!this.publisher) {
      this.publisher = this.rabbit.openChannel().then((channel) => {
        // A channel error (a reply to a vanished direct reply-to consumer, say) closes only this channel; the next reply opens another.
        channel.on('close', () => (this.publisher = undefined));
        channel.on('return', (returned: ConsumeMessage) => this.onReturn(returned));
        return channel;
      });
    }
    return this.publisher;
  }

  /**
   * Publishes a reply to the command's replyTo queue, records it, and waits for the broker's confirm.
   * A duplicate passes the body of the first copy, so both carry the same envelope id.
   */
  private async reply(command: ReceivedCommand, ok: boolean, note?: TraceEntry['note'], body: ReplyBody = replyBody(command, ok)): Promise<void> {
    if (this.closed) return;
    const spec = COMMANDS[command.type];
    const { type } = body;
    const content = Buffer.from(JSON.stringify(body));
    const options = { mandatory: true, persistent: true, contentType: 'application/json', correlationId: command.commandId, messageId: body.id, type };
    try {
      const channel = await this.channel();
      this.record({ kind: 'reply', party: spec.participant, type, sagaId: command.sagaId, commandId: command.commandId, note }, `  to ${command.replyTo}`);
      await this.publish(channel, command.replyTo, content, options);
    } catch (error) {
      if (!this.closed) this.trace(`could not send ${type} for ${command.sagaId} to ${command.replyTo}: ${(error as Error).message}`);
    }
  }

  private publish(channel: ConfirmChannel, queue: string, content: Buffer, options: { messageId: string } & Record<string, unknown>): Promise<void> {
    this.inFlight.set(options.messageId, queue);
    return new Promise<void>((resolve, reject) => {
      channel.publish('', queue, content, options, (error) => {
        this.inFlight.delete(options.messageId);
        if (error) reject(new Error('the broker did not confirm the reply'));
        else resolve();
      });
    });
  }

  /** Records a returned mandatory reply: no queue has the replyTo name. The broker sends the return before the confirm. */
  private onReturn(returned: ConsumeMessage): void {
    const queue = this.inFlight.get(String(returned.properties.messageId));
    if (!queue || queue.startsWith(DIRECT_REPLY_TO)) return;
    if (this.unroutable.includes(queue)) return;
    this.unroutable.push(queue);
    this.problem({
      message: `A reply to ${queue} (the commands' replyTo) was returned as unroutable: no queue has that name, so the reply is lost.`,
      next: 'declare the reply queue with assertQueue(REPLY_QUEUE, { durable: true }) before sending commands, and put that name in replyTo',
    });
  }

  private onOutcome(queue: string, message: ConsumeMessage): void {
    const checked = describeOutcomeProblem(queue, message);
    if ('problem' in checked) return this.problem(checked.problem);
    const { sagaId, type, failedStep } = checked.outcome;
    this.record({ kind: 'outcome', party: 'outcome', type, sagaId, failedStep });
    // A copy still owed goes out now, before the late replies, as the expected trace has it.
    const stale = this.duplicates.get(sagaId);
    this.duplicates.delete(sagaId);
    if (stale) void this.reply(stale.command, true, 'duplicate', stale.body);
    // Late replies go out only now, so they reach the orchestrator after it has moved on.
    const late = this.late.get(sagaId) ?? [];
    this.late.delete(sagaId);
    for (const command of late) void this.reply(command, true, 'late');
  }
}
