import http from 'node:http';
import https from 'node:https';
import { toCompatResponse, type CompatResponse, type RequestPolicy, type WebResourceLike } from '@azure/core-http-compat';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';

export interface OutgoingLimits {
  /** One reply's whole call (waiting for a socket, retries and reading the answer included) ends after this. */
  timeoutMs: number;
  /** Sockets open at once to all channels together, per protocol; more calls wait for one, within their timeout. */
  maxSockets: number;
}

/** A reply the channel did not take: it did not answer in time, or refused it. */
export class DeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/**
 * The HTTP client of the connector that posts the bot's replies (botbuilder's `ConnectorClientOptions.httpClient`).
 * botbuilder's own has no timeout and no limit: a serviceUrl that never answers held a socket for more than ten
 * minutes, and 500 of them 501 sockets. This one is the same Azure client with a deadline per call and agents that
 * open at most `maxSockets` sockets; the calls beyond wait in the agent's queue, and leave it at their deadline.
 */
export function boundedHttpClient({ timeoutMs, maxSockets }: OutgoingLimits): RequestPolicy {
  const client = createDefaultHttpClient();
  // Idle keep-alive sockets are closed after a while, so that a quiet bot holds none.
  const options = { keepAlive: true, maxSockets, maxTotalSockets: maxSockets, maxFreeSockets: maxSockets, timeout: 30_000 };
  const agents = { http: new http.Agent(options), https: new https.Agent(options) };
  const deadlines = new WeakSet<object>();

  return {
    async sendRequest(request: WebResourceLike): Promise<CompatResponse> {
      if (!request.abortSignal || !deadlines.has(request.abortSignal)) {
        const deadline = AbortSignal.timeout(timeoutMs);
        // botbuilder passes no signal of its own today; should it, either one ends the call.
        const signal = request.abortSignal instanceof AbortSignal ? AbortSignal.any([request.abortSignal, deadline]) : deadline;
        deadlines.add(signal);
        // core-http-compat hands us a proxy of the pipeline's request: setting the signal here sets it there too, so
        // the retry policy above us (which waits between attempts with this signal) and every retry share one deadline.
        request.abortSignal = signal;
      }
      const insecure = request.url.startsWith('http:');
      const outgoing = createPipelineRequest({
        url: request.url,
        method: request.method,
        headers: createHttpHeaders(request.headers.toJson({ preserveCase: true })),
        body: request.body as string | undefined,
        requestId: request.requestId,
        abortSignal: request.abortSignal,
        streamResponseStatusCodes: request.streamResponseStatusCodes,
        // Like the connector's own client: plain http is for an http serviceUrl (the Emulator on this machine).
        allowInsecureConnection: insecure,
      });
      // Set apart: createPipelineRequest does not copy an agent. A proxy agent (HTTPS_PROXY) that the pipeline set
      // wins, as it is the only way out of some networks.
      outgoing.agent = request.agent ?? (insecure ? agents.http : agents.https);
      try {
        const response = await client.sendRequest(outgoing);
        // The answer is tied to the pipeline's own request (through the proxy), so that botbuilder can read it.
        return { ...toCompatResponse(response), request };
      } catch (error) {
        if (request.abortSignal?.aborted) throw new DeliveryError(`no answer within ${timeoutMs / 1000} s`, { cause: error });
        throw error;
      }
    },
  };
}
