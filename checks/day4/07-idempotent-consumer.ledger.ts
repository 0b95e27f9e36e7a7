// Payments for the ledger check, and readers for the ledger's database and its AccountDebited events.
import type { KafkaRecord } from '../../src/checking/kafka.js';
import { queryRows } from '../../src/checking/sqlite.js';

export interface Payment {
  eventId: string;
  accountId: string;
  amountCents: number;
}

const ACCOUNTS = ['acct-1', 'acct-2', 'acct-3', 'acct-4'];

/** Makes `count` new payments p-<n> after `existing`, spread over four accounts, with amounts that differ. */
export function makePayments(existing: Payment[], count: number): Payment[] {
  const distinct = new Set(existing.map((payment) => payment.eventId)).size;
  return Array.from({ length: count }, (_, index) => {
    const number = distinct + index + 1;
    return { eventId: `p-${String(number).padStart(3, '0')}`, accountId: ACCOUNTS[number % ACCOUNTS.length], amountCents: 100 + number * 7 };
  });
}

/** Returns the balance of every account after each distinct payment was applied once: 0 minus its debits. */
export function expectedBalances(payments: Payment[]): Map<string, number> {
  const distinct = new Map(payments.map((payment) => [payment.eventId, payment]));
  const balances = new Map<string, number>();
  for (const payment of distinct.values()) balances.set(payment.accountId, (balances.get(payment.accountId) ?? 0) - payment.amountCents);
  return balances;
}

/** Reads the balances from the ledger's accounts table. */
export function readBalances(database: string): Map<string, number> {
  const rows = queryRows<{ account_id: string; balance_cents: number }>(database, 'SELECT account_id, balance_cents FROM accounts');
  return new Map(rows.map((row) => [row.account_id, Number(row.balance_cents)]));
}

export function readMarkers(database: string): string[] {
  return queryRows<{ event_id: string }>(database, 'SELECT event_id FROM processed_events').map((row) => String(row.event_id));
}

/** Lists the accounts whose balance differs, one line each, e.g. "acct-2: -1130 (expected -565, off by -565)". */
export function balanceDifferences(expected: Map<string, number>, actual: Map<string, number>): string[] {
  const accounts = new Set([...expected.keys(), ...actual.keys()]);
  const lines: string[] = [];
  for (const account of [...accounts].sort()) {
    const want = expected.get(account) ?? 0;
    const have = actual.get(account) ?? 0;
    if (want !== have) lines.push(`${account}: ${have} (expected ${want}, off by ${have - want})`);
  }
  return lines;
}

export function formatBalances(balances: Map<string, number>): string {
  return [...balances].sort(([a], [b]) => a.localeCompare(b)).map(([account, cents]) => `${account} ${cents}`).join(', ') || 'no accounts';
}

/** Groups the AccountDebited events on the output topic by the payment they announce. */
export function debitsByPayment(records: KafkaRecord[]): Map<string, KafkaRecord[]> {
  const byPayment = new Map<string, KafkaRecord[]>();
  for (const record of records) {
    const paymentId = (record.body as { data?: { paymentId?: unknown } } | null)?.data?.paymentId;
    if (typeof paymentId !== 'string') continue;
    byPayment.set(paymentId, [...(byPayment.get(paymentId) ?? []), record]);
  }
  return byPayment;
}

/** Returns a description of the first AccountDebited that breaks the contract, or undefined. */
export function debitShapeProblem(record: KafkaRecord, payment: Payment): string | undefined {
  const body = record.body as { id?: unknown; type?: unknown; data?: Record<string, unknown> } | null;
  if (!body || typeof body !== 'object') return `an AccountDebited record is not JSON: ${record.value}`;
  if (body.type !== 'AccountDebited') return `the event for ${payment.eventId} has type ${JSON.stringify(body.type)}, not "AccountDebited"`;
  if (typeof body.id !== 'string' || !body.id) return `the AccountDebited for ${payment.eventId} has no envelope id`;
  if (body.data?.accountId !== payment.accountId || body.data?.amountCents !== payment.amountCents) {
    return `the AccountDebited for ${payment.eventId} says ${JSON.stringify(body.data)}; the payment is ${JSON.stringify(payment)}`;
  }
  if (record.key !== payment.accountId) return `the AccountDebited for ${payment.eventId} has the key ${JSON.stringify(record.key)}, not the account id ${payment.accountId}`;
  return undefined;
}
