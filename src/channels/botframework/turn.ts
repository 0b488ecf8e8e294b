import type { Activity } from 'botbuilder';
import { isLocale, toLocale } from '../../core/locale.js';
import type { Turn } from '../../core/reply.js';
import { payloadOf } from '../../dialogue/lexicon.js';

/** Names of the events the web page sends (see src/channels/web/public/chat.js). */
export const EVENTS = { join: 'webchat/join', language: 'webchat/language' } as const;

/**
 * A Bot Framework activity as the engine's turn, or undefined when there is nothing to answer
 * (typing indicators, conversation updates, unknown events).
 */
export function activityToTurn(activity: Partial<Activity>, sessionId: string, channel: string): Turn | undefined {
  const langHint = toLocale(activity.locale);
  const base = { sessionId, channel, ...(langHint ? { langHint } : {}) };
  if (activity.type === 'message') {
    const value = activity.value as { payload?: unknown } | undefined;
    const payload = typeof value?.payload === 'string' && value.payload.length <= 64 ? value.payload : undefined;
    return { ...base, text: typeof activity.text === 'string' ? activity.text : '', ...(payload ? { payload } : {}) };
  }
  if (activity.type === 'event' && activity.name === EVENTS.language && isLocale(activity.value)) {
    return { ...base, text: '', lang: activity.value, payload: payloadOf({ type: 'language', lang: activity.value }) };
  }
  if (activity.type === 'event' && activity.name === EVENTS.join) {
    const value = activity.value as { lang?: string; source?: unknown } | undefined;
    const lang = toLocale(value?.lang);
    const source = typeof value?.source === 'string' && /^[\w.-]{1,64}$/.test(value.source) ? value.source : undefined;
    return { ...base, text: '', ...(lang ? { langHint: lang } : {}), ...(source ? { source } : {}), payload: payloadOf({ type: 'intent', intent: 'greeting' }), opening: true };
  }
  return undefined;
}
