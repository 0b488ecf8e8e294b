/**
 * `npm run poster -- --source basketball-prizren-2027 --lang sq,sr-Latn,en [--title "…"] [--date 2027-05-14]
 * [--out DIR] [--web] [--url URL]`: an A4 PDF poster and its QR codes (PNG, SVG) for an event.
 * The main code opens the Telegram bot with the source as deep link (TELEGRAM_BOT_USERNAME), and a second code
 * the web chat (--url, else PUBLIC_URL) with ?source=. Without TELEGRAM_BOT_USERNAME, or with --web, the main code
 * opens the web chat (else localhost). Conversations and quiz rounds are then counted per source in `npm run report`.
 */
import { parseArgs } from 'node:util';
import { isLocale, type Locale } from '../core/locale.js';
import { loadKnowledgeOrThrow } from '../knowledge/load.js';
import { makePoster } from '../posters/poster.js';

const { values } = parseArgs({
  options: {
    source: { type: 'string' },
    lang: { type: 'string', multiple: true },
    title: { type: 'string', multiple: true },
    date: { type: 'string' },
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
const telegramUsername = values.web ? undefined : process.env.TELEGRAM_BOT_USERNAME || undefined;
const webUrl = values.url ?? process.env.PUBLIC_URL ?? (telegramUsername ? undefined : 'http://localhost:3978/');
try {
  const files = await makePoster(loadKnowledgeOrThrow(), {
    source: values.source,
    langs: langs as Locale[],
    outDir: values.out,
    ...(telegramUsername && { telegramUsername }),
    ...(webUrl && { webUrl }),
    ...(values.title && { title: values.title }),
    ...(values.date && { date: values.date }),
  });
  console.log(`Main code opens ${files.url}\n  ${files.pdf}\n  ${files.png}\n  ${files.svg}`);
  if (files.webUrl) console.log(`Second code opens ${files.webUrl}\n  ${files.webPng}\n  ${files.webSvg}`);
  else if (telegramUsername) console.warn('No second code for the web chat: give --url or set PUBLIC_URL to the chat page\'s public address.');
  if (/^https?:\/\/(localhost|127\.|\[::1\])/.test(files.webUrl ?? files.url)) console.warn('The web chat\'s code opens this machine only: give --url or set PUBLIC_URL before printing.');
  for (const w of files.warnings) console.warn(w);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
