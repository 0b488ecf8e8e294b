import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { assistant } from './engine.js';

/** The real HTTP app on a free loopback port, with a fresh assistant sharing the file's trained NLU. */
export async function startApp(env: Record<string, string> = {}): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }), assistant: assistant() });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url };
}
