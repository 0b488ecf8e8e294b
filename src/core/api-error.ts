/** The error codes of the answers of our HTTP APIs, by status (Bot Framework's and Direct Line's style). */
const CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'ServiceError',
  503: 'ServiceUnavailable',
};

/** What a client is told for statuses whose cause it can act on without our details. */
const MESSAGES: Record<number, string> = {
  413: 'The request is too large.',
  415: 'Send JSON.',
  429: 'Too many requests: wait a moment and try again.',
};

/** The one shape of every error our HTTP APIs answer. */
export function apiError(status: number, message: string): { error: { code: string; message: string } } {
  return { error: { code: CODES[status] ?? (status >= 500 ? 'ServiceError' : 'BadRequest'), message } };
}

/** The standard message for a status, when there is one. */
export function clientMessage(status: number): string | undefined {
  return MESSAGES[status];
}
