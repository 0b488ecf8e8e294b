import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramBot, type Log } from '../../src/channels/telegram/bot.js';
import { runTelegram } from '../../src/channels/telegram/run.js';
import { assistant, knowledge } from '../support/engine.js';
import { startApp } from '../support/server.js';
import { TelegramApiStandIn, textUpdate, type ApiCall } from '../support/telegram-api.js';

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const api = new TelegramApiStandIn();
const engine = assistant();
let stop = () => {};
let chat = 2000;
const newChat = () => ++chat;

beforeAll(async () => {
  await api.start();
  const { bot } = createTelegramBot({ token: '123456:TEST-token', apiRoot: api.url, assistant: engine, log: silent, flood: { points: 20, seconds: 60 }, sendQueue: { backoffMs: 20 } });
  const run = runTelegram(bot, { kb: knowledge(), log: silent, retryMs: 50 });
  stop = run.stop;
  await run.started;
});
afterAll(async () => {
  stop();
  await api.close();
});

const to = (chatId: number) => (c: ApiCall) => c.body.chat_id === chatId;
const textOf = (calls: ApiCall[]) => calls.map((c) => String(c.body.text)).join('\n');
const keyboardOf = (call: ApiCall) => (call.body.reply_markup as { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] } | undefined)?.inline_keyboard.flat() ?? [];

describe('Telegram with the real telegraf against a local Bot API stand-in', () => {
  it('registers its commands with descriptions in each language', async () => {
    const calls = await api.waitFor('setMyCommands', () => true, 4);
    const codes = calls.map((c) => c.body.language_code ?? 'default');
    expect(codes).toEqual(expect.arrayContaining(['default', 'en', 'sq', 'sr']));
    const sq = calls.find((c) => c.body.language_code === 'sq')!.body.commands as { command: string; description: string }[];
    expect(sq.map((c) => c.command)).toEqual(['help', 'topics', 'language', 'contact', 'offices', 'quiz']);
    expect(sq.find((c) => c.command === 'contact')!.description).toBe('Kontaktet e Misionit');
  });

  it('greets on /start in the language Telegram gives, with the topics as buttons', async () => {
    const id = newChat();
    api.push(textUpdate('/start', { chat: id, language: 'sq' }));
    const [greeting] = await api.waitFor('sendMessage', to(id));
    expect(greeting!.body.text).toContain('Përshëndetje');
    expect(greeting!.body.parse_mode).toBe('HTML');
    expect(keyboardOf(greeting!).map((b) => b.callback_data)).toContain('g:about');
  });

  it('records the deep-link payload of /start as the conversation source', async () => {
    const id = newChat();
    api.push(textUpdate('/start basketball-prizren-2027', { chat: id, language: 'sr' }));
    const [greeting] = await api.waitFor('sendMessage', to(id));
    expect(greeting!.body.text).toContain('Здраво');
    expect(await engine.sourceOf(`tg:${id}`)).toBe('basketball-prizren-2027');
  });

  it.each([
    ['en', 'who is the head of the mission?', 'Ambassador Jan Braathu'],
    ['sq', 'sa eshte buxheti i misionit', '17.510.500 euro'],
    ['sr-Latn', 'gde su vase kancelarije', 'Peć/Pejë'],
    ['sr-Cyrl', 'где су ваше канцеларије', 'Пећ/Pejë'],
  ])('answers a question in %s', async (_lang, question, expected) => {
    const id = newChat();
    api.push(textUpdate(question, { chat: id }));
    const calls = await api.waitFor('sendMessage', to(id));
    expect(textOf(calls)).toContain(expected);
  });

  it('escapes HTML and turns markdown bold into tags', async () => {
    const id = newChat();
    api.push(textUpdate('<b>are there any job vacancies?</b>', { chat: id }));
    const calls = await api.waitFor('sendMessage', to(id));
    const text = textOf(calls);
    expect(text).toContain('<b>OSCE Mission in Kosovo</b>');
    expect(text).not.toContain('<b>what');
    expect(calls[0]!.body.link_preview_options).toEqual({ is_disabled: true });
    expect(keyboardOf(calls[0]!).some((b) => b.url === 'https://www.osce.org/kosovo')).toBe(true);
  });

  it('acknowledges a pressed button and answers it', async () => {
    const id = newChat();
    api.push({
      callback_query: { id: `cb-${id}`, from: { id, is_bot: false, first_name: 'T', language_code: 'en' }, chat_instance: 'x', data: 'i:budget', message: { message_id: 1, date: 0, chat: { id, type: 'private' } } },
    });
    const calls = await api.waitFor('sendMessage', to(id));
    expect(textOf(calls)).toContain('17,510,500 euros');
    await api.waitFor('answerCallbackQuery', (c) => c.body.callback_query_id === `cb-${id}`);
  });

  it('switches language from the /language keyboard, and keeps callback data within 64 bytes', async () => {
    const id = newChat();
    api.push(textUpdate('/language', { chat: id, language: 'en' }));
    const [choose] = await api.waitFor('sendMessage', to(id));
    const buttons = keyboardOf(choose!);
    expect(buttons.map((b) => b.text)).toEqual(['English', 'Shqip', 'Srpski', 'Српски']);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data!)).toBeLessThanOrEqual(64);
    api.push({ callback_query: { id: `cb2-${id}`, from: { id, is_bot: false, first_name: 'T' }, chat_instance: 'x', data: 'l:sr-Cyrl', message: { message_id: 2, date: 0, chat: { id, type: 'private' } } } });
    const calls = await api.waitFor('sendMessage', to(id), 2);
    expect(String(calls[1]!.body.text)).toContain('ћирилицом');
    api.push(textUpdate('koliki je budzet', { chat: id }));
    // "Switched" and the topic menu, then the answer: in Cyrillic though asked in Latin, as chosen.
    const after = await api.waitFor('sendMessage', to(id), 4);
    expect(String(after[3]!.body.text)).toContain('17.510.500 евра');
  });

  it('answers in groups only when addressed, each member in their own conversation', async () => {
    const group = -(1000 + newChat());
    api.push(textUpdate('what is the budget', { chat: group, from: 501, group: true }));
    api.push(textUpdate('@osce_kosovo_test_bot a ka zyre ne peje', { chat: group, from: 502, group: true, entities: [{ type: 'mention', offset: 0, length: 21 }] }));
    const calls = await api.waitFor('sendMessage', to(group));
    await new Promise((r) => setTimeout(r, 300));
    expect(api.callsOf('sendMessage').filter(to(group))).toHaveLength(1);
    expect(calls[0]!.body.text).toContain('Pejë/Peć');
    expect(calls[0]!.body.reply_parameters).toBeDefined();
    api.push(textUpdate('/offices@osce_kosovo_test_bot', { chat: group, from: 503, group: true }));
    const more = await api.waitFor('sendMessage', to(group), 2);
    expect(String(more[1]!.body.text)).toContain('Prizren');
    // Member 503's conversation knows nothing of member 502's question about Peja.
    api.push(textUpdate('@osce_kosovo_test_bot and the phone?', { chat: group, from: 503, group: true, entities: [{ type: 'mention', offset: 0, length: 21 }] }));
    const last = await api.waitFor('sendMessage', to(group), 3);
    expect(String(last[2]!.body.text)).not.toContain('Pejë/Peć');
  });

  it('tells a sticker sender, in their language, that it reads text', async () => {
    const id = newChat();
    api.push({ message: { message_id: 9000 + id, date: 0, chat: { id, type: 'private' }, from: { id, is_bot: false, first_name: 'T', language_code: 'sq' }, sticker: { file_id: 'x', file_unique_id: 'y', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } } });
    const calls = await api.waitFor('sendMessage', to(id));
    expect(textOf(calls)).toContain('vetëm tekst');
  });

  it('answers a shared location with the regional centres, inventing no coordinates', async () => {
    const id = newChat();
    api.push({ message: { message_id: 9100 + id, date: 0, chat: { id, type: 'private' }, from: { id, is_bot: false, first_name: 'T', language_code: 'en' }, location: { latitude: 42.66, longitude: 21.16 } } });
    const calls = await api.waitFor('sendMessage', to(id));
    expect(textOf(calls)).toContain('Gjilan/Gnjilane');
    expect(textOf(calls)).not.toMatch(/42\.\d|21\.\d|km/);
  });

  it('plays the quiz with native quiz polls, answered by poll_answer updates', async () => {
    const id = newChat();
    api.push(textUpdate('/quiz', { chat: id, language: 'en' }));
    const [intro] = await api.waitFor('sendMessage', to(id));
    expect(intro!.body.text).toContain('<b>Quiz!</b>');
    const [poll] = await api.waitFor('sendPoll', to(id));
    expect(poll!.body).toMatchObject({ type: 'quiz', is_anonymous: false });
    expect(String(poll!.body.question)).toMatch(/^1\/5\. /);
    expect(String(poll!.body.explanation).length).toBeGreaterThan(10);
    const stop = (poll!.body.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!;
    expect(stop.callback_data).toBe('q:stop');
    const pollId = (poll!.result!.poll as { id: string }).id;
    api.push({ poll_answer: { poll_id: pollId, user: { id, is_bot: false, first_name: 'T', language_code: 'en' }, option_ids: [poll!.body.correct_option_id] } });
    const next = await api.waitFor('sendPoll', to(id), 2);
    expect(String(next[1]!.body.question)).toMatch(/^2\/5\. /);
    const messages = await api.waitFor('sendMessage', to(id), 2);
    expect(String(messages[1]!.body.text)).toContain('✅ Correct!');
    expect(await engine.sourceOf(`tg:${id}`)).toBeUndefined();
  });

  it('waits the retry_after of a 429 and sends again', async () => {
    const id = newChat();
    api.failNext('sendMessage', 1, { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const pushed = Date.now();
    api.push(textUpdate('hello', { chat: id }));
    const calls = await api.waitFor('sendMessage', to(id), 2);
    expect(calls[1]!.at - pushed).toBeGreaterThanOrEqual(1000);
  });

  it('answers a re-delivered update once', async () => {
    const id = newChat();
    const update = textUpdate('budget?', { chat: id });
    const updateId = api.push(update);
    await api.waitFor('sendMessage', to(id));
    api.push({ ...update, update_id: updateId });
    api.push(textUpdate('thanks', { chat: id }));
    await api.waitFor('sendMessage', to(id), 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(api.callsOf('sendMessage').filter(to(id))).toHaveLength(2);
  });

  it('asks a flooding person, once, to slow down', async () => {
    const id = newChat();
    for (let i = 0; i < 25; i++) api.push(textUpdate(`budget ${i}`, { chat: id, language: 'en' }));
    const calls = await api.waitFor('sendMessage', to(id), 21);
    await new Promise((r) => setTimeout(r, 300));
    const all = api.callsOf('sendMessage').filter(to(id));
    expect(all).toHaveLength(21);
    expect(textOf(all).match(/faster than I can read/g)).toHaveLength(1);
    expect(calls.length).toBe(21);
  });
});

describe('Telegram webhook', () => {
  it('refuses requests without the right secret and answers the right ones', async () => {
    const hook = await new TelegramApiStandIn().start();
    const secret = 'a-webhook-secret-of-enough-length';
    const { app } = await startApp({ TELEGRAM_BOT_TOKEN: '123456:TEST-token', TELEGRAM_API_ROOT: hook.url, TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram/hook', TELEGRAM_WEBHOOK_SECRET: secret });
    try {
      app.telegram!.botInfo = hook.bot;
      const update = { update_id: 1, ...textUpdate('what is the budget', { chat: 77 }) };
      expect((await app.inject({ method: 'POST', url: '/telegram/hook', payload: update })).statusCode).toBe(401);
      expect((await app.inject({ method: 'POST', url: '/telegram/hook', payload: update, headers: { 'x-telegram-bot-api-secret-token': 'wrong-secret-of-same-size-0000000' } })).statusCode).toBe(401);
      expect(hook.callsOf('sendMessage')).toHaveLength(0);
      const ok = await app.inject({ method: 'POST', url: '/telegram/hook', payload: update, headers: { 'x-telegram-bot-api-secret-token': secret } });
      expect(ok.statusCode).toBe(200);
      const [sent] = await hook.waitFor('sendMessage');
      expect(sent!.body.text).toContain('17,510,500 euros');
    } finally {
      await app.close();
      await hook.close();
    }
  });
});

describe('Telegram unreachable or misconfigured', () => {
  it('logs what to do, keeps retrying, and does not throw', async () => {
    const refusing = await new TelegramApiStandIn(undefined, 401).start();
    const errors: { hint?: string }[] = [];
    const log: Log = { ...silent, error: (fields) => void errors.push(fields as { hint?: string }) };
    const { bot } = createTelegramBot({ token: '123456:WRONG', apiRoot: refusing.url, assistant: assistant(), log });
    const run = runTelegram(bot, { kb: knowledge(), log, retryMs: 30 });
    try {
      for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(errors.length).toBeGreaterThanOrEqual(2);
      expect(errors[0]!.hint).toContain('TELEGRAM_BOT_TOKEN is wrong');
      expect(JSON.stringify(errors)).not.toContain('WRONG');
    } finally {
      run.stop();
      await refusing.close();
    }
  });
});
