import { ActivityHandler, type TurnContext } from 'botbuilder';
import type { Assistant } from '../../dialogue/assistant.js';
import { toActivities } from './render.js';
import { EVENTS, activityToTurn } from './turn.js';

/** One conversation of a Bot Framework channel is one conversation of the engine. */
function sessionOf(context: TurnContext): string {
  return `bf:${context.activity.channelId}:${context.activity.conversation?.id ?? 'none'}`;
}

/** The assistant as a Bot Framework bot: Azure Bot Service channels, Teams, the Emulator. */
export class AssistantBot extends ActivityHandler {
  constructor(assistant: Assistant) {
    super();
    const answer = async (context: TurnContext, next: () => Promise<void>) => {
      const turn = activityToTurn(context.activity, sessionOf(context), 'botframework');
      if (turn) await context.sendActivities(toActivities(assistant.respond(turn)));
      await next();
    };
    this.onMessage(answer);
    this.onEvent(answer);
    this.onMembersAdded(async (context, next) => {
      // Greet each person who joins (not the bot itself), in the language the channel says they use.
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id === context.activity.recipient.id) continue;
        const turn = activityToTurn({ ...context.activity, type: 'event', name: EVENTS.join, value: {} }, sessionOf(context), 'botframework');
        if (turn) await context.sendActivities(toActivities(assistant.respond(turn)));
      }
      await next();
    });
  }
}
