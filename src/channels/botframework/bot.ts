import { ActivityHandler, type TurnContext } from 'botbuilder';
import type { Reply } from '../../core/reply.js';
import type { Assistant } from '../../dialogue/assistant.js';
import { DeliveryError } from './outgoing.js';
import { toActivities } from './render.js';
import { EVENTS, activityToTurn } from './turn.js';

/** One conversation of a Bot Framework channel is one conversation of the engine. */
function sessionOf(context: TurnContext): string {
  return `bf:${context.activity.channelId}:${context.activity.conversation?.id ?? 'none'}`;
}

/** Sends a reply; a failure to deliver it is a DeliveryError, which the adapter's turn error handler knows. */
async function send(context: TurnContext, reply: Reply): Promise<void> {
  try {
    await context.sendActivities(toActivities(reply));
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    // Azure's RestError carries the channel's status or the network's code; an AbortError is the deadline.
    const { name, statusCode, code, message } = error as { name?: string; statusCode?: number; code?: string; message?: string };
    const reason = statusCode ? `the channel answered HTTP ${statusCode}` : name === 'AbortError' ? 'no answer in time' : (code ?? message ?? 'failed');
    throw new DeliveryError(reason, { cause: error });
  }
}

/**
 * The assistant as a Bot Framework bot: Azure Bot Service channels, Teams, the Emulator. Each activity gets at
 * most one reply (a few messages): every message of a reply is one request to the channel.
 */
export class AssistantBot extends ActivityHandler {
  constructor(assistant: Assistant) {
    super();
    const answer = async (context: TurnContext, next: () => Promise<void>) => {
      const turn = activityToTurn(context.activity, sessionOf(context), 'botframework');
      if (turn) await send(context, await assistant.handle(turn));
      await next();
    };
    this.onMessage(answer);
    this.onEvent(answer);
    this.onMembersAdded(async (context, next) => {
      // One greeting when people join (not when the bot itself is added), in the language the channel says they
      // use: once per conversation update, however many members it lists, so that one update is one reply.
      const someone = (context.activity.membersAdded ?? []).some((member) => member.id !== context.activity.recipient?.id);
      if (someone) {
        const turn = activityToTurn({ ...context.activity, type: 'event', name: EVENTS.join, value: {} }, sessionOf(context), 'botframework');
        if (turn) await send(context, await assistant.handle(turn));
      }
      await next();
    });
  }
}
