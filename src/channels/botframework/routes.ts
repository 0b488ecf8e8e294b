import type { Activity } from 'botbuilder';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Assistant } from '../../dialogue/assistant.js';
import { AuthFailure, createAdapter, type BotFrameworkSettings } from './adapter.js';
import { AssistantBot } from './bot.js';
import { ServiceUrlPolicy, originOf } from './service-url.js';

export interface BotFrameworkOptions {
  settings: BotFrameworkSettings;
  assistant: Assistant;
}

/** Every refusal of this route has one shape: `{ error: { code, message } }`, with nothing from inside the server. */
function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}

const NOT_ALLOWED =
  'This serviceUrl is not answered: without MicrosoftAppId, only the Emulator on this machine (a loopback serviceUrl) and the origins of BOT_SERVICE_URLS are.';

/**
 * Bot Framework at /api/messages: Azure Bot Service channels and the Emulator. The bot answers an activity by
 * posting to its serviceUrl, so an activity is checked before anything is posted: authenticated when an app id is
 * set, else only for a serviceUrl this machine's operator allowed (ServiceUrlPolicy). A fastify plugin in its own scope.
 *
 * @example
 *   await app.register(botFramework, { settings: config, assistant });
 */
export async function botFramework(app: FastifyInstance, { settings, assistant }: BotFrameworkOptions): Promise<void> {
  const policy = settings.MicrosoftAppId ? undefined : new ServiceUrlPolicy(settings.BOT_SERVICE_URLS ?? []);
  if (policy) app.log.info({ origins: settings.BOT_SERVICE_URLS?.length ?? 0 }, 'Bot Framework without MicrosoftAppId: answering the Emulator on this machine and BOT_SERVICE_URLS only');
  const adapter = createAdapter(settings, assistant.kb, app.log);
  const bot = new AssistantBot(assistant);

  app.post('/api/messages', async (request, reply) => {
    const activity = request.body as Partial<Activity> | null;
    if (typeof activity !== 'object' || activity === null || typeof activity.type !== 'string' || typeof activity.serviceUrl !== 'string')
      return refuse(reply, 400, 'BadRequest', 'Expected a Bot Framework activity.');
    if (policy && !policy.allows(activity.serviceUrl)) {
      request.log.warn(
        { serviceUrl: originOf(activity.serviceUrl) ?? 'not an http(s) URL' },
        'Bot Framework activity refused: its serviceUrl is not on this machine; add its origin to BOT_SERVICE_URLS, or set MicrosoftAppId and MicrosoftAppPassword to authenticate Azure Bot Service',
      );
      return refuse(reply, 403, 'Forbidden', NOT_ALLOWED);
    }

    let auth;
    try {
      auth = await adapter.authenticate(activity as Activity, request.headers.authorization ?? '');
    } catch (error) {
      if (!(error instanceof AuthFailure)) throw error;
      if (error.status === 503) {
        request.log.error({ reason: error.reason }, 'Bot Framework tokens cannot be checked: the identity provider did not answer (outbound HTTPS to login.botframework.com and login.microsoftonline.com?)');
        return refuse(reply, 503, 'ServiceUnavailable', 'Authentication is unavailable; try again later.');
      }
      request.log.warn({ reason: error.reason }, 'Bot Framework request not authenticated');
      return refuse(reply, 401, 'Unauthorized', 'A valid Bot Framework token is required.');
    }

    const invoke = await adapter.run(auth, activity as Activity, (context) => bot.run(context));
    return reply.code(invoke?.status ?? 200).send(invoke?.body);
  });
}
