import type { FastifyInstance } from 'fastify';
import type { Assistant } from '../../dialogue/assistant.js';
import { createAdapter, type BotFrameworkSettings } from './adapter.js';
import { AssistantBot } from './bot.js';

export interface BotFrameworkOptions {
  settings: BotFrameworkSettings;
  assistant: Assistant;
}

/** Bot Framework at /api/messages: Azure Bot Service channels and the Emulator. */
export async function botFrameworkRoutes(app: FastifyInstance, { settings, assistant }: BotFrameworkOptions): Promise<void> {
  const adapter = createAdapter(settings, assistant.kb, app.log);
  const bot = new AssistantBot(assistant);
  app.post('/api/messages', async (request, reply) => {
    const body = request.body as { type?: unknown } | null;
    if (typeof body !== 'object' || body === null || typeof body.type !== 'string')
      return reply.code(400).send({ error: { code: 'BadRequest', message: 'Expected a Bot Framework activity.' } });
    await adapter.process(
      { body: request.body as Record<string, unknown>, headers: request.headers, method: request.method },
      {
        socket: request.raw.socket,
        status: (code: number) => reply.code(code),
        header: (name: string, value: unknown) => reply.header(name, value),
        send: (body?: unknown) => reply.send(body),
        end: () => (reply.sent ? undefined : reply.send()),
      },
      (context) => bot.run(context),
    );
    return reply;
  });
}
