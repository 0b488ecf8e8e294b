import { ActivityTypes, CardFactory, type Activity, type CardAction } from 'botbuilder';
import type { QuickReply, Reply } from '../../core/reply.js';

/** Identity of the assistant in Bot Framework conversations (Direct Line and Web Chat show it). */
export const BOT_ACCOUNT = { id: 'osce-kosovo-assistant', name: 'OSCE Mission in Kosovo', role: 'bot' } as const;

/**
 * The engine's reply the Bot Framework way: markdown messages, buttons as suggested actions (messageBack, so
 * the payload travels while the label is what the person sees), and the contact links as a hero card.
 */
export function toActivities(reply: Reply): Partial<Activity>[] {
  const activities: Partial<Activity>[] = reply.messages.map((m) => ({
    type: ActivityTypes.Message,
    text: toMarkdown(m.text),
    textFormat: 'markdown',
    locale: reply.lang,
  }));
  const last = activities[activities.length - 1]!;
  if (reply.links?.length) {
    const actions: CardAction[] = reply.links.map((l) => ({ type: 'openUrl', title: l.label, value: l.url }));
    last.attachments = [CardFactory.heroCard('', undefined, actions)];
  }
  const [up, down] = reply.feedback ?? [];
  const buttons: { q: QuickReply; feedback?: 'up' | 'down' }[] = [
    ...reply.quickReplies.map((q) => ({ q })),
    ...(up && down ? [{ q: up, feedback: 'up' as const }, { q: down, feedback: 'down' as const }] : []),
  ];
  if (buttons.length) last.suggestedActions = { to: [], actions: buttons.map(({ q, feedback }) => toAction(q, feedback)) };
  return activities;
}

/**
 * A button as a messageBack action: the payload travels in `value` and is what the engine reads (it wins over the
 * text). The label is both `displayText` (what Web Chat shows while sending) and `text`, because a Direct Line
 * echo keeps the text, not the client's channelData: without `text` the person's press vanished from the
 * transcript once echoed. A 👍/👎 says so in `channelData.feedback`, for clients that relabel emoji-only buttons
 * (the web page gives them an icon and words in the person's language).
 */
function toAction(q: QuickReply, feedback?: 'up' | 'down'): CardAction {
  return {
    type: 'messageBack',
    title: q.label,
    displayText: q.label,
    text: q.label,
    value: { payload: q.payload },
    ...(feedback ? { channelData: { feedback } } : {}),
  };
}

/**
 * Our light markdown has single line breaks (the contact block): markdown needs two spaces to keep them. A line
 * after a list needs a blank line before it, or markdown reads it as part of the last item.
 */
export function toMarkdown(text: string): string {
  const lines = text.split('\n');
  return lines
    .map((line, i) => {
      const next = lines[i + 1];
      if (next === undefined || next === '' || line === '') return line;
      const item = (l: string) => l.startsWith('- ');
      return item(line) && !item(next) ? `${line}\n` : `${line}  `;
    })
    .join('\n');
}
