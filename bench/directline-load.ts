import type autocannon from 'autocannon';

/** The questions every Direct Line load sends, in turn. */
export const LOAD_QUESTIONS = ['a ka zyre osbe ne peje?', 'what is the budget of the mission', 'ko je sef misije', 'колико људи ради у мисији', 'po ne prizren?', 'hvala'];

/**
 * autocannon options posting messages to Direct Line conversations: each request (a fresh context every time) goes
 * to the next conversation and carries the next question; every response must be the stored message's id. Pass
 * the same `turn` counter to several autocannon runs so that they share the conversations in one rotation.
 */
export function directLinePosts(
  conversations: readonly { conversationId: string; token: string }[],
  turn = { next: 0 },
): Pick<autocannon.Options, 'requests' | 'verifyBody'> {
  return {
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const c = conversations[turn.next++ % conversations.length]!;
          return {
            ...request,
            path: `/v3/directline/conversations/${c.conversationId}/activities`,
            headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'message', text: LOAD_QUESTIONS[turn.next % LOAD_QUESTIONS.length]!, from: { id: 'visitor' } }),
          };
        },
      },
    ],
    // Anything but the id of the stored message counts as a mismatch.
    verifyBody: (body) => String(body).includes('|0'),
  };
}
