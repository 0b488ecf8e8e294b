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

  it('sends the label as the text too (a Direct Line echo keeps it: the press shows as the person\'s message) and marks 👍/👎', () => {
    const [activity] = toActivities({
      lang: 'en',
      intent: 'mandate',
      confidence: 1,
      fallback: false,
      messages: [{ text: 'a' }],
      quickReplies: [{ label: 'Topics', payload: 'm' }],
      feedback: [{ label: '👍', payload: 'r:1:mandate' }, { label: '👎', payload: 'r:0:mandate' }],
    });
    const actions = activity!.suggestedActions!.actions;
    expect(actions[0]).toEqual({ type: 'messageBack', title: 'Topics', displayText: 'Topics', text: 'Topics', value: { payload: 'm' } });
    expect(actions.slice(1).map((a) => [a.value, a.channelData])).toEqual([[{ payload: 'r:1:mandate' }, { feedback: 'up' }], [{ payload: 'r:0:mandate' }, { feedback: 'down' }]]);
  });
});

describe('Telegram rendering', async () => {
  const { escapeHtml, split, toHtml, toTelegram } = await import('../../src/channels/telegram/render.js');

  it('escapes before adding its own tags', () => {
    expect(toHtml('**OSCE** <script>x</script> & "q"\n- one')).toBe('<b>OSCE</b> &lt;script&gt;x&lt;/script&gt; &amp; "q"\n• one');
    expect(escapeHtml('<b>')).toBe('&lt;b&gt;');
  });

  it('splits long text below 4096 characters, at line breaks, never inside a tag', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} <b>bold</b> with some words`).join('\n');
    const pieces = split(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) {
      expect(p.length).toBeLessThanOrEqual(4000);
      expect(p.split('<b>').length).toBe(p.split('</b>').length);
    }
    expect(pieces.join('\n')).toBe(text);
  });

  it('puts buttons as an inline keyboard on the last message and keeps only https links', () => {
    const messages = toTelegram({
      lang: 'en',
      intent: 'contact',
      confidence: 1,
      fallback: false,
      messages: [{ text: 'a' }],
      quickReplies: [{ label: 'Offices', payload: 'i:offices' }, { label: 'Topics', payload: 'm' }, { label: 'x', payload: 'x'.repeat(65) }],
      links: [{ label: 'Website', url: 'https://www.osce.org/kosovo' }, { label: 'E-mail', url: 'mailto:press.omik@osce.org' }],
    });
    expect(messages[0]!.keyboard).toEqual([[{ text: 'Offices', callback_data: 'i:offices' }, { text: 'Topics', callback_data: 'm' }], [{ text: 'Website', url: 'https://www.osce.org/kosovo' }]]);
  });
});
