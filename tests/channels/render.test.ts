import { describe, expect, it } from 'vitest';
import { toActivities, toMarkdown } from '../../src/channels/botframework/render.js';

describe('Bot Framework rendering', () => {
  it('keeps single line breaks and ends lists before the next paragraph', () => {
    expect(toMarkdown('Tel: 1\nE-mail: a@b')).toBe('Tel: 1  \nE-mail: a@b');
    expect(toMarkdown('Centres:\n- Pejë/Peć\n- Prizren\nAlso 30 teams.')).toBe('Centres:  \n- Pejë/Peć  \n- Prizren\n\nAlso 30 teams.');
    expect(toMarkdown('One.\n\nTwo.')).toBe('One.\n\nTwo.');
  });

  it('puts buttons on the last message as messageBack suggested actions, links on a hero card', () => {
    const activities = toActivities({
      lang: 'sq',
      intent: 'contact',
      confidence: 1,
      fallback: false,
      messages: [{ text: 'a' }, { text: 'b' }],
      quickReplies: [{ label: 'Zyrat', payload: 'i:offices' }],
      links: [{ label: 'E-mail', url: 'mailto:press.omik@osce.org' }],
    });
    expect(activities).toHaveLength(2);
    expect(activities[0]!.suggestedActions).toBeUndefined();
    expect(activities[1]!.suggestedActions!.actions[0]).toMatchObject({ type: 'messageBack', title: 'Zyrat', value: { payload: 'i:offices' } });
    expect(activities[1]!.attachments![0]!.contentType).toBe('application/vnd.microsoft.card.hero');
    expect(activities[1]!.locale).toBe('sq');
  });
});
