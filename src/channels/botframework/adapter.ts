import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { FastifyBaseLogger } from 'fastify';
import { toLocale } from '../../core/locale.js';
import type { KnowledgeBase } from '../../knowledge/types.js';

export interface BotFrameworkSettings {
  MicrosoftAppId?: string | undefined;
  MicrosoftAppPassword?: string | undefined;
  MicrosoftAppType?: string | undefined;
  MicrosoftAppTenantId?: string | undefined;
}

/**
 * botbuilder's CloudAdapter: with an app id and password (or managed identity) it authenticates every
 * request from Azure Bot Service; with none it accepts the Bot Framework Emulator locally.
 */
export function createAdapter(settings: BotFrameworkSettings, kb: KnowledgeBase, log: FastifyBaseLogger): CloudAdapter {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ ...settings }));
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    // One failed turn never takes the bot down: apologise in the person's language and log without content.
    log.error({ err: { name: error.name, message: error.message }, channel: context.activity.channelId }, 'turn failed');
    const locale = toLocale(context.activity.locale) ?? 'en';
    await context.sendActivity(kb.dialogue.error[locale]).catch(() => undefined);
  };
  return adapter;
}
