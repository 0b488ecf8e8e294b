import type { Reply } from '../../core/reply.js';

/** Light markdown to plain text: `**bold**` loses its stars; lists and line breaks stay. */
export function plainText(markdown: string): string {
  return markdown.replace(/\*\*(.+?)\*\*/gs, '$1');
}

/** The whole reply as plain text: messages, then each quick-reply label on its own line. */
export function replyAsPlainText(reply: Reply, numbered = false): string {
  const messages = reply.messages.map((m) => plainText(m.text)).join('\n\n');
  const buttons = reply.quickReplies.map((q, i) => (numbered ? `  [${i + 1}] ${q.label}` : q.label));
  return buttons.length ? `${messages}\n\n${buttons.join('\n')}` : messages;
}
