// Ledger: debits each payment request once, however often Kafka delivers it.
import Database from 'better-sqlite3';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { fileURLToPath } from 'node:url';
import { crashPoint, env, envelope, report } from '../../lib/course.js';

const KAFKA_BROKERS = env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');
const RUN_ID = env('RUN_ID', 'local');
const PAYMENTS_TOPIC = env('PAYMENTS_TOPIC', `${RUN_ID}.payments`);
const DEBITS_TOPIC = env('DEBITS_TOPIC', `${RUN_ID}.account-debits`);
const GROUP_ID = env('GROUP_ID', `${RUN_ID}.ledger`);
const LEDGER_DB = env('LEDGER_DB', fileURLToPath(new URL('./ledger.db', import.meta.url)));
const INSTANCE = env('INSTANCE', `ledger-${process.pid}`);

interface PaymentRequest {
  eventId: string;
  accountId: string;
  amountCents: number;
}

// The ledger's tables. Keep their names and columns: the checker reads them.
const db = new Database(LEDGER_DB);
db.exec(`
  CREATE TABLE IF NOT EXISTS accounts (account_id TEXT PRIMARY KEY, balance_cents INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL);
`);

const markProcessed = db.prepare('INSERT OR IGNORE INTO processed_events (event_id, processed_at) VALUES (?, ?)');
const openAccount = db.prepare('INSERT OR IGNORE INTO accounts (account_id) VALUES (?)');
const debit = db.prepare('UPDATE accounts SET balance_cents = balance_cents - ? WHERE account_id = ?');

// One transaction: the processed marker and the debit are committed together or not at all, so a
// crash or an error can never leave one without the other. Returns false for a payment seen before.
const applyPayment = db.transaction((payment: PaymentRequest): boolean => {
  const marked = markProcessed.run(payment.eventId, new Date().toISOString());
  if (marked.changes === 0) return false;
  openAccount.run(payment.accountId);
  debit.run(payment.amountCents, payment.accountId);
  return true;
});

const kafka = new Kafka({ clientId: INSTANCE, brokers: KAFKA_BROKERS, logLevel: logLevel.WARN });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const consumer = kafka.consumer({ groupId: GROUP_ID, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });

// Registered before joining, so that a SIGTERM during the start still leaves the group.
process.once('SIGTERM', async () => {
  await consumer.disconnect().catch(() => {});
  await producer.disconnect().catch(() => {});
  db.close();
  process.exit(0);
});

await consumer.connect();
await consumer.subscribe({ topic: PAYMENTS_TOPIC, fromBeginning: true });

// kafkajs commits the offset after eachMessage resolves: after the database commit and the publish.
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const payment = JSON.parse(message.value!.toString()) as PaymentRequest;
    const offset = Number(message.offset);
    let applied: boolean;
    try {
      applied = applyPayment(payment);
    } catch (error) {
      // Rethrown: the offset is not committed and kafkajs delivers the payment again.
      report('failed', { eventId: payment.eventId, partition, offset, error: (error as Error).message });
      throw error;
    }
    report(applied ? 'applied' : 'duplicate', { eventId: payment.eventId, accountId: payment.accountId, partition, offset });
    crashPoint('after-db-commit');

    // Published for a duplicate too: a crash between the commit and this send leaves the redelivery
    // as the only chance to announce the debit. The id comes from the payment, so a re-send is the
    // same event and consumers of AccountDebited can drop it by id.
    const debited = envelope(
      'AccountDebited',
      'ledger',
      payment.accountId,
      { paymentId: payment.eventId, accountId: payment.accountId, amountCents: payment.amountCents },
      `${payment.eventId}.debited`,
    );
    await producer.send({ topic: DEBITS_TOPIC, messages: [{ key: payment.accountId, value: JSON.stringify(debited) }] });
    report('published', { eventId: payment.eventId, id: debited.id });
    crashPoint('after-publish');
  },
});
report('ready', { groupId: GROUP_ID, database: LEDGER_DB });
