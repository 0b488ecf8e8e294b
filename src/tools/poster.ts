/**
 * `npm run poster -- --source basketball-prizren-2027 --lang sq [--lang sr-Latn] [--out DIR] [--web [URL]]`:
 * an A4 PDF poster and its QR code (PNG, SVG) for an event. The QR opens the Telegram bot with the source as
 * deep link (TELEGRAM_BOT_USERNAME), or with --web the web chat (URL, else PUBLIC_URL, else localhost) with
 * ?source=. Conversations and quiz rounds are then counted per source in `npm run report`.
 */
import { parseArgs } from 'node:util';
import { isLocale, type Locale } from '../core/locale.js';
import { loadKnowledgeOrThrow } from '../knowledge/load.js';
import { makePoster } from '../posters/poster.js';

const { values } = parseArgs({
  options: {
    source: { type: 'string' },
    lang: { type: 'string', multiple: true },
    out: { type: 'string', default: 'posters' },
    web: { type: 'boolean', default: false },
    url: { type: 'string' },
  },
});
const langs = (values.lang ?? ['sq', 'sr-Latn', 'en']).flatMap((l) => l.split(','));
const bad = langs.filter((l) => !isLocale(l));
if (!values.source || bad.length) {
  console.error(bad.length ? `Unknown language ${bad.join(', ')}: use en, sq, sr-Latn, sr-Cyrl.` : 'Give --source, e.g. --source basketball-prizren-2027.');
  process.exit(2);
}
try {
  const files = await makePoster(loadKnowledgeOrThrow(), {
    source: values.source,
    langs: langs as Locale[],
    outDir: values.out,
    ...(values.web ? { webUrl: values.url ?? process.env.PUBLIC_URL ?? 'http://localhost:3978/' } : { telegramUsername: process.env.TELEGRAM_BOT_USERNAME ?? '' }),
  });
  console.log(`QR code opens ${files.url}\n  ${files.pdf}\n  ${files.png}\n  ${files.svg}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
