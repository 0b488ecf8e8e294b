/**
 * `npm run chat`: talk to the assistant in the terminal. Type a question in any of its languages; type the
 * number of a button to press it; `/lang sq|en|sr-Latn|sr-Cyrl` picks a language; `/quit` or Ctrl-D leaves.
 */
import { createInterface } from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
import { isLocale } from '../../core/locale.js';
import type { QuickReply, Turn } from '../../core/reply.js';
import { Assistant } from '../../dialogue/assistant.js';
import { payloadOf } from '../../dialogue/lexicon.js';
import { loadKnowledgeOrThrow } from '../../knowledge/load.js';
import { buttonTyped } from './buttons.js';
import { replyAsPlainText } from './plain-text.js';

const bold = (s: string) => (stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s);

let assistant: Assistant;
try {
  assistant = new Assistant(loadKnowledgeOrThrow());
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const rl = createInterface({ input: stdin, output: stdout });
let buttons: QuickReply[] = [];
const sessionId = `cli-${process.pid}`;

console.log(bold('OSCE Mission in Kosovo – assistant.') + ' Ask in English, shqip, srpski or српски. /quit to leave.\n');
const say = async (turn: Turn) => {
  const reply = await assistant.handle({ ...turn, channel: 'cli' });
  buttons = reply.quickReplies;
  console.log(`\n${replyAsPlainText(reply, true)}\n`);
};
await say({ sessionId, text: '', payload: payloadOf({ type: 'intent', intent: 'greeting' }), opening: true });

rl.on('close', () => process.exit(0));
for (;;) {
  const text = (await rl.question(bold('> '))).trim();
  if (text === '/quit' || text === '/exit') break;
  const picked = buttonTyped(buttons, text);
  if (text.startsWith('/lang')) {
    const choice = text.split(/\s+/)[1];
    // The assistant keeps the language picked for the rest of the conversation.
    if (isLocale(choice)) await say({ sessionId, text: '', lang: choice, payload: payloadOf({ type: 'menu' }) });
    else console.log('Usage: /lang en | sq | sr-Latn | sr-Cyrl');
    continue;
  }
  await say(picked ? { sessionId, text: picked.label, payload: picked.payload } : { sessionId, text });
}
rl.close();
