import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { FastifyBaseLogger } from 'fastify';
import { toLocale } from '../../core/locale.js';
import type { KnowledgeBase } from '../../knowledge/types.js';
import { DeliveryError, boundedHttpClient } from './outgoing.js';
import { originOf } from './service-url.js';

export interface BotFrameworkSettings {
  MicrosoftAppId?: string | undefined;
  MicrosoftAppPassword?: string | undefined;
  MicrosoftAppType?: string | undefined;
  MicrosoftAppTenantId?: string | undefined;
  /** Without an app id, the origins besides loopback where replies may go (see ServiceUrlPolicy). */
  BOT_SERVICE_URLS?: readonly string[] | undefined;
  /**
   * botbuilder's own settings for where tokens are checked (other clouds; tests point them at a local stand-in).
   * Not read from the environment: config.ts does not list them.
   */
  ToBotFromChannelOpenIdMetadataUrl?: string | undefined;
  ToBotFromChannelTokenIssuer?: string | undefined;
  ToBotFromEmulatorOpenIdMetadataUrl?: string | undefined;
}

/** Replies to a channel: each call ends within this, and this many sockets at most are open to channels at once. */
export const OUTGOING = { timeoutMs: 5_000, maxSockets: 16 } as const;
/** Checking a token may download Microsoft's signing keys; a request waits no longer than this for them. */
const AUTH_TIMEOUT_MS = 10_000;

type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/**
 * Why a request was not authenticated: 401 for a token that is missing or not good, 503 when the identity provider
 * (its OpenID metadata and keys) could not be reached. A 503 rather than a 401 there, because the caller did nothing
 * wrong: Azure Bot Service retries a 503 where it takes a 401 as final, and the operator sees an outage in the logs
 * instead of what looks like forged tokens. Neither carries botbuilder's message, which is for the log only.
 */
export class AuthFailure extends Error {
  constructor(
    readonly status: 401 | 503,
    readonly reason: string,
  ) {
    super(status === 401 ? 'not authenticated' : 'identity provider unreachable');
    this.name = 'AuthFailure';
  }
}

/** botbuilder's CloudAdapter, with authentication as its own step so that the route answers its failures. */
export class BotAdapter extends CloudAdapter {
  /** @throws AuthFailure */
  async authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AuthFailure(503, `no answer within ${AUTH_TIMEOUT_MS / 1000} s`)), AUTH_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.botFrameworkAuthentication.authenticateRequest(activity, authHeader), timeout]);
    } catch (error) {
      throw error instanceof AuthFailure ? error : classify(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs the turn of an authenticated activity; the invoke response, if the activity asked for one. */
  run(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }
}

/**
 * botbuilder says "not authenticated" with an AuthenticationError of status 401 (or a jsonwebtoken error); a failed
 * download of the OpenID metadata is an AuthenticationError of status 500, a network failure node-fetch's FetchError.
 */
function classify(error: unknown): AuthFailure {
  const { name, message, statusCode } = error as { name?: string; message?: string; statusCode?: unknown };
  const unreachable = name === 'FetchError' || (typeof statusCode === 'number' && statusCode >= 500);
  return new AuthFailure(unreachable ? 503 : 401, message ?? String(error));
}

/**
 * With an app id and password (or managed identity) every request from Azure Bot Service is authenticated; with
 * none, only activities whose serviceUrl ServiceUrlPolicy allows reach the adapter (routes.ts). Replies go out
 * through a client with a deadline and a bounded number of sockets either way (outgoing.ts).
 */
export function createAdapter(settings: BotFrameworkSettings, kb: KnowledgeBase, log: FastifyBaseLogger): BotAdapter {
  const { MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId } = settings;
  const { ToBotFromChannelOpenIdMetadataUrl, ToBotFromChannelTokenIssuer, ToBotFromEmulatorOpenIdMetadataUrl } = settings;
  // Only botbuilder's own settings: the rest of the server's configuration (other secrets) is none of its business.
  const options = { MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId, ToBotFromChannelOpenIdMetadataUrl, ToBotFromChannelTokenIssuer, ToBotFromEmulatorOpenIdMetadataUrl };
  const httpClient = boundedHttpClient(OUTGOING);
  const adapter = new BotAdapter(new ConfigurationBotFrameworkAuthentication(options, undefined, undefined, undefined, { httpClient }));
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const channel = context.activity.channelId;
    if (error instanceof DeliveryError) {
      // The channel did not take the reply: an apology would go the same way, and wait as long.
      log.warn({ channel, serviceUrl: originOf(context.activity.serviceUrl), reason: error.message }, 'Bot Framework reply not delivered');
      return;
    }
    // One failed turn never takes the bot down: apologise in the person's language and log without content.
    log.error({ err: { name: error.name, message: error.message }, channel }, 'turn failed');
    const locale = toLocale(context.activity.locale) ?? 'en';
    await context.sendActivity(kb.dialogue.error[locale]).catch(() => undefined);
  };
  return adapter;
}
