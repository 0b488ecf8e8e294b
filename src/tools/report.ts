/**
 * `npm run report -- [--days 30 | --from YYYY-MM-DD --to YYYY-MM-DD] [--json]`: what people asked that the
 * assistant could not answer, fallback rates, topics, ratings and sources, from the database in DATA_DIR (or the
 * PostgreSQL of DATABASE_URL when it is set).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadKnowledgeOrThrow, quizQuestionText } from '../knowledge/load.js';
import { Analytics, periodRange, type Report } from '../storage/analytics.js';
import { databaseFile, openDatabase } from '../storage/db.js';
import { StorageError } from '../storage/faults.js';
import { PostgresRecords, databaseName } from '../storage/postgres/records.js';
import { renderReport } from '../storage/report-text.js';

const { values } = parseArgs({ options: { days: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } } });
const url = process.env.DATABASE_URL;
const file = url ? databaseName(url) : databaseFile(process.env.DATA_DIR);
if (!url && !existsSync(file)) {
  console.error(`No database at ${file} yet: it is created when the assistant runs (npm start). Set DATA_DIR if it lives elsewhere.`);
  process.exit(1);
}
const [from, to] = periodRange({ days: values.days === undefined ? undefined : Number(values.days), from: values.from, to: values.to });
if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
  console.error('Give --days N, or --from YYYY-MM-DD and --to YYYY-MM-DD (from before to).');
  process.exit(2);
}
let report: Report;
try {
  const options = { quizQuestion: quizQuestionText(loadKnowledgeOrThrow()) };
  // Nothing is deleted here (no retention), whichever database it is.
  const records = url ? await PostgresRecords.open(url, Number.MAX_SAFE_INTEGER, options) : new Analytics(openDatabase(file), Number.MAX_SAFE_INTEGER, options);
  try {
    report = await records.report(from, to);
  } finally {
    await records.close();
  }
} catch (error) {
  // A StorageError says what to do in one paragraph; anything else (a damaged file) at least names the file.
  console.error(error instanceof StorageError ? error.message : `Cannot read ${file}: ${(error as Error).message}`);
  process.exit(1);
}
// report() has made the stored questions printable, in JSON as in the tables.
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
