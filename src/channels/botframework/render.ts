import { ActivityTypes, CardFactory, type Activity, type CardAction } from 'botbuilder';
import type { Reply } from '../../core/reply.js';

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
  const buttons = [...reply.quickReplies, ...(reply.feedback ?? [])];
  if (buttons.length) {
    last.suggestedActions = {
      to: [],
      // No `text`: the payload says what was pressed, and the label is shown once, as displayText.
      actions: buttons.map((q) => ({ type: 'messageBack', title: q.label, displayText: q.label, value: { payload: q.payload } })),
    };
  }
  return activities;
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
