import type { FastifyServerOptions } from 'fastify';

/**
 * Structured JSON logs (pino). Requests are logged without their query string (Direct Line stream URLs carry
 * tokens there) and without headers; messages' text is never logged.
 */
export function loggerOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.secret'], censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; routeOptions?: { url?: string } }) => ({
        method: req.method,
        url: req.routeOptions?.url ?? req.url?.split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
