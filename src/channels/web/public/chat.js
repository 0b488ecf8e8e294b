/*
 * The chat page of the OSCE Mission in Kosovo's assistant: Microsoft Web Chat (window.WebChat, loaded after this
 * file) talking to our own Direct Line endpoint, in four languages. No inline script, no eval, nothing loaded from
 * elsewhere (the page's Content-Security-Policy forbids it).
 *
 * Query parameters: lang (en | sq | sr-Latn | sr-Cyrl; default from the browser), source (where the chat is
 * embedded, ^[\w.-]{1,64}$), embed=1 (compact layout inside embed.js's panel, with a close button).
 * Events sent to the bot (src/channels/botframework/turn.ts): webchat/join {lang, source} once connected, and
 * webchat/language <locale> when the person picks a language.
 * Messages with embed.js (the parent page, when embedded): osce-chat:ready (this page runs: the frame was not
 * refused), osce-chat:close (the close button, Escape) out; osce-chat:focus (the panel opened: focus the text box) in.
 */
'use strict';

(() => {
  const LOCALES = ['en', 'sq', 'sr-Latn', 'sr-Cyrl'];
  /** Web Chat's own locale for each of ours; sq is not one of Web Chat's languages, our strings cover it. */
  const WEBCHAT_LOCALE = { en: 'en-US', sq: 'sq', 'sr-Latn': 'sr-Latn', 'sr-Cyrl': 'sr-Cyrl' };
  /** Strings Web Chat lacks for a locale (all of them for Albanian), in locales/. */
  const WEBCHAT_STRINGS = { sq: 'webchat-sq.json', 'sr-Latn': 'webchat-sr-Latn.json', 'sr-Cyrl': 'webchat-sr-Cyrl.json' };
  const CLOSE_MESSAGE = 'osce-chat:close';
  const READY_MESSAGE = 'osce-chat:ready';
  const FOCUS_MESSAGE = 'osce-chat:focus';
  const TOKEN_TIMEOUT_MS = 15000;
  // Direct Line connection status (botframework-directlinejs): 3 = expired token, 4 = failed to connect.
  const CONNECTION_FAILED = [3, 4];

  const BLUE = '#005493';
  const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');
  const styleOptions = () => ({
    accent: BLUE,
    backgroundColor: '#ffffff',
    subtle: '#595959',
    primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif',
    transitionDuration: reducedMotion.matches ? '0s' : '.2s',
    bubbleBackground: '#eef3f8',
    bubbleBorderColor: '#d5e0eb',
    bubbleBorderWidth: 1,
    bubbleBorderRadius: 10,
    bubbleTextColor: '#1b1b1b',
    bubbleFromUserBackground: BLUE,
    bubbleFromUserBorderColor: BLUE,
    bubbleFromUserBorderRadius: 10,
    bubbleFromUserTextColor: '#ffffff',
    messageActivityWordBreak: 'break-word',
    timestampColor: '#595959',
    hideUploadButton: true,
    sendBoxTextWrap: true,
    sendBoxMaxHeight: 160,
    sendBoxButtonColor: BLUE,
    sendBoxButtonColorOnHover: '#003d6b',
    sendBoxButtonColorOnFocus: '#003d6b',
    sendBoxPlaceholderColor: '#595959',
    sendBoxBorderTop: '1px solid #b8c4d0',
    maxMessageLength: 1000,
    suggestedActionLayout: 'flow',
    suggestedActionBackgroundColor: '#ffffff',
    suggestedActionBorderColor: BLUE,
    suggestedActionBorderRadius: 18,
    suggestedActionBorderWidth: 1,
    suggestedActionTextColor: BLUE,
    suggestedActionBackgroundColorOnHover: '#e6eef6',
    suggestedActionBackgroundColorOnActive: '#cfdeed',
    suggestedActionKeyboardFocusIndicatorBorderColor: '#1b1b1b',
    suggestedActionKeyboardFocusIndicatorBorderWidth: 2,
    transcriptActivityVisualKeyboardIndicatorColor: BLUE,
    transcriptVisualKeyboardIndicatorColor: BLUE,
    transcriptVisualKeyboardIndicatorWidth: 2,
    // The buttons wrap below the answer and scroll with the conversation (chat.css), never in a box of their own.
    suggestedActionHeight: 36,
    suggestedActionImageHeight: 20,
  });

  // ---- What the page was asked for -------------------------------------------------------------------------

  /** A loose language tag (navigator.language, ?lang=) as one of our locales, the way the server reads it. */
  function toLocale(tag) {
    if (typeof tag !== 'string' || !tag) return undefined;
    if (LOCALES.includes(tag)) return tag;
    const [language, ...rest] = tag.trim().toLowerCase().replace(/_/g, '-').split('-');
    if (language === 'en') return 'en';
    if (language === 'sq' || language === 'al') return 'sq';
    // sr alone (or sr-RS) is Cyrillic, Serbia's official script; sr-Latn, sr-ME and Bosnian/Croatian read Latin.
    if (language === 'sr') return rest.includes('latn') || rest.includes('me') ? 'sr-Latn' : 'sr-Cyrl';
    if (['bs', 'hr', 'sh', 'cnr'].includes(language)) return 'sr-Latn';
    return undefined;
  }
  function browserLocale() {
    const tags = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (const tag of tags) {
      const locale = toLocale(tag);
      if (locale) return locale;
    }
    return 'en';
  }

  const params = new URLSearchParams(location.search);
  let lang = toLocale(params.get('lang')) || browserLocale();
  const rawSource = params.get('source');
  const source = rawSource && /^[\w.-]{1,64}$/.test(rawSource) ? rawSource : undefined;
  const embedded = params.get('embed') === '1';

  // ---- Strings ------------------------------------------------------------------------------------------------

  const $ = (selector) => document.querySelector(selector);
  const $$ = (selector) => Array.from(document.querySelectorAll(selector));
  let pageStrings = {};
  const webChatStrings = {};

  /** The page's own strings for a locale (locales/page.json); empty when they could not be loaded. */
  function page(locale) {
    return pageStrings[locale] || {};
  }

  async function fetchJson(url, init) {
    const response = await fetch(url, Object.assign({ credentials: 'same-origin' }, init));
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  /**
   * Web Chat's strings for a locale: ours (missing keys, all of Albanian), then the page's input hint and what a
   * screen reader says before each answer (Web Chat's "Bot $1 said:" takes avatar initials, and we show no avatar).
   */
  async function loadWebChatStrings(locale) {
    if (!webChatStrings[locale]) {
      const file = WEBCHAT_STRINGS[locale];
      const strings = file ? await fetchJson(`/static/locales/${file}`).catch(() => ({})) : {};
      const t = page(locale);
      if (t.placeholder) strings.TEXT_INPUT_PLACEHOLDER = t.placeholder;
      if (t.botSaid) strings.ACTIVITY_BOT_SAID_ALT = t.botSaid;
      webChatStrings[locale] = strings;
    }
    return webChatStrings[locale];
  }

  /** Puts the current language's strings into the page: <html lang>, title, landmarks, header, error. */
  function applyPageStrings() {
    const t = page(lang);
    document.documentElement.lang = lang;
    if (t.documentTitle) document.title = t.documentTitle;
    for (const element of $$('[data-text]')) {
      const text = t[element.dataset.text];
      if (text) element.textContent = text;
    }
    for (const element of $$('[data-label]')) {
      const text = t[element.dataset.label];
      if (text) element.setAttribute('aria-label', text);
    }
    for (const button of $$('.langs__button')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  }

  // ---- Errors -------------------------------------------------------------------------------------------------

  function setStatus(visible) {
    $('#status').hidden = !visible;
  }

  /** The readable error with the Mission's contacts, in the current language (it is in the page already). */
  function showError(reason) {
    if (reason) console.error('OSCE assistant:', reason);
    setStatus(false);
    $('#webchat').hidden = true;
    $('#error').hidden = false;
  }

  // ---- Web Chat -----------------------------------------------------------------------------------------------

  let directLine;
  let store;
  let joined = false;

  function sendEvent(name, value) {
    store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name, value } });
  }

  /** The store: says hello (webchat/join) once Direct Line is connected, and follows the bot's language buttons. */
  function createStore() {
    return window.WebChat.createStore({}, ({ dispatch }) => (next) => (action) => {
      if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED' && !joined) {
        joined = true;
        dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'webchat/join', value: source ? { lang, source } : { lang } } });
      } else if (action.type === 'DIRECT_LINE/CONNECT_REJECTED') {
        showError(action.payload);
      } else if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload && action.payload.activity) {
        return next(Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: withLabelledFeedback(action.payload.activity) }) }));
      } else if (action.type === 'DIRECT_LINE/POST_ACTIVITY') {
        // A language button of the bot's (payload l:<locale>): the bot switches by itself, the page follows.
        const payload = action.payload && action.payload.activity && action.payload.activity.value && action.payload.activity.value.payload;
        const locale = typeof payload === 'string' && payload.startsWith('l:') ? payload.slice(2) : undefined;
        if (LOCALES.includes(locale) && locale !== lang) setTimeout(() => switchLanguage(locale, false));
      }
      return next(action);
    });
  }

  /** Thumbs up (Material Icons' thumb_up, Apache License 2.0) in the buttons' blue; down is the same, turned over. */
  const THUMB = 'M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z';
  const thumb = (down) => `data:image/svg+xml,${encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="${BLUE}" d="${THUMB}"${down ? ' transform="rotate(180 12 12)"' : ''}/></svg>`,
  )}`;

  /**
   * The 👍/👎 of an answer (channelData.feedback, src/channels/botframework/render.ts) with an icon and words in the
   * answer's language instead of the emoji alone, which shows as an empty box where no emoji font is installed
   * and is read by its Unicode name, if at all. The words are also what the person's message shows when pressed.
   */
  function withLabelledFeedback(activity) {
    const actions = activity.suggestedActions && activity.suggestedActions.actions;
    if (!Array.isArray(actions) || !actions.some((a) => a && a.channelData && a.channelData.feedback)) return activity;
    const t = page(LOCALES.includes(activity.locale) ? activity.locale : lang);
    const relabel = (a) => {
      const kind = a && a.channelData && a.channelData.feedback;
      const words = kind === 'up' ? t.rateUp : kind === 'down' ? t.rateDown : undefined;
      if (!words) return a;
      return Object.assign({}, a, { title: words, displayText: words, text: words, image: thumb(kind === 'down'), imageAltText: ' ' }); // a space: decorative (empty falls back to the text, which would be read twice)
    };
    return Object.assign({}, activity, { suggestedActions: Object.assign({}, activity.suggestedActions, { actions: actions.map(relabel) }) });
  }

  async function render() {
    const overrideLocalizedStrings = await loadWebChatStrings(lang);
    window.WebChat.renderWebChat(
      { directLine, store, locale: WEBCHAT_LOCALE[lang], overrideLocalizedStrings, styleOptions: styleOptions() },
      $('#webchat'),
    );
  }

  /** Same store and Direct Line (the conversation goes on), new locale and strings; tells the bot. */
  async function switchLanguage(locale, tellBot = true) {
    if (!LOCALES.includes(locale) || locale === lang) return;
    await loadWebChatStrings(locale);
    lang = locale;
    applyPageStrings();
    const url = new URL(location.href);
    url.searchParams.set('lang', lang);
    history.replaceState(history.state, '', url);
    $('#announce').textContent = page(lang).languageChanged || '';
    newExchange(); // the bot's reply to the switch is shown from its start
    if (directLine) {
      await render();
      if (tellBot && joined) sendEvent('webchat/language', lang);
    }
  }

  /** A Direct Line token for a new conversation (POST /api/webchat/token), given up on after 15 seconds. */
  async function fetchToken() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TOKEN_TIMEOUT_MS);
    try {
      const { token } = await fetchJson('/api/webchat/token', { method: 'POST', signal: controller.signal });
      if (typeof token !== 'string') throw new Error('no token in the answer');
      return token;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once webchat.js has run (it is loaded after this file, in parallel with what this file fetches). */
  function webChatLoaded() {
    return new Promise((resolve, reject) => {
      const check = () => (window.WebChat ? resolve() : reject(new Error('Web Chat did not load')));
      if (window.WebChat) return resolve();
      const script = document.getElementById('webchat-script');
      if (script) {
        script.addEventListener('load', check);
        script.addEventListener('error', check);
      }
      window.addEventListener('load', check);
    });
  }

  async function start(token) {
    directLine = window.WebChat.createDirectLine({ token, domain: `${location.origin}/v3/directline`, webSocket: true });
    directLine.connectionStatus$.subscribe((status) => {
      if (CONNECTION_FAILED.includes(status)) showError(`Direct Line connection status ${status}`);
    });
    store = createStore();
    await render();
    setStatus(false);
  }

  // ---- Focus and scroll ---------------------------------------------------------------------------------------

  /** Web Chat's text box, once it exists (it is rendered after the token comes); resolves undefined after 15 s. */
  function sendBox() {
    const find = () => $('#webchat textarea, #webchat input.webchat__send-box-text-box__input');
    return new Promise((resolve) => {
      if (find()) return resolve(find());
      const observer = new MutationObserver(() => {
        if (find()) done(find());
      });
      const timer = setTimeout(() => done(undefined), 15000);
      function done(box) {
        observer.disconnect();
        clearTimeout(timer);
        resolve(box);
      }
      observer.observe(document.body, { childList: true, subtree: true });
    });
  }

  /** The text box takes focus: the chat opens ready to type (no Tab through the header first). */
  async function focusSendBox() {
    const box = await sendBox();
    if (box && !$('#webchat').hidden) box.focus();
  }

  /**
   * The conversation is one scrolling column (chat.css), which Web Chat does not scroll itself: when activities
   * come, the newest exchange is shown from its start – the person's message if they sent one, else the first new
   * activity (the greeting, a reply to a language switch) – with as much of the answer and its buttons as fits
   * below it; a long answer is read from its start. Following stops for the moment when the person scrolls.
   */
  let newExchange = () => undefined;
  const isMine = (activity) => !!activity.querySelector('.webchat__stacked-layout--from-user');
  function followConversation() {
    const scroller = $('#webchat');
    let count = 0;
    let first = 0;
    let until = 0;
    let pending = 0;
    const follow = () => {
      pending = 0;
      const activities = Array.from(scroller.querySelectorAll('.webchat__basic-transcript__activity'));
      if (activities.length !== count) {
        // A new exchange: after a pause, a message of the person's, or a language switch (newExchange below).
        const mineFirst = activities.length > count && isMine(activities[count]);
        if (Date.now() > until || mineFirst || activities.length < count) first = Math.min(count, activities.length);
        count = activities.length;
        until = Date.now() + 2000;
      }
      if (Date.now() > until || !activities.length) return;
      const fresh = activities.slice(first);
      const mine = fresh.filter(isMine);
      const anchor = mine.length ? mine[mine.length - 1] : fresh[0] || activities[activities.length - 1];
      const max = scroller.scrollHeight - scroller.clientHeight;
      const top = anchor.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop - 8;
      scroller.scrollTop = Math.max(0, Math.min(max, top));
    };
    new MutationObserver(() => {
      if (!pending) pending = requestAnimationFrame(follow);
    }).observe(scroller, { childList: true, subtree: true });
    const stop = () => {
      until = 0;
    };
    newExchange = stop;
    scroller.addEventListener('wheel', stop, { passive: true });
    scroller.addEventListener('touchmove', stop, { passive: true });
  }

  // ---- The page -----------------------------------------------------------------------------------------------

  function closeEmbed() {
    if (window.parent !== window) window.parent.postMessage({ type: CLOSE_MESSAGE }, '*');
  }

  function wire() {
    document.body.classList.toggle('is-embedded', embedded);
    for (const button of $$('.langs__button')) button.addEventListener('click', () => switchLanguage(button.dataset.lang));
    $('#retry').addEventListener('click', () => location.reload());
    reducedMotion.addEventListener('change', () => directLine && render());
    followConversation();
    if (!embedded) {
      // A page of its own opens ready to type, except on touch screens, where the keyboard would cover the greeting.
      if (window.matchMedia('(pointer: fine)').matches) focusSendBox();
      return;
    }
    // Tells embed.js that the frame was not refused (it offers a link in a new tab otherwise), and takes the focus
    // it hands over when the panel opens.
    window.parent.postMessage({ type: READY_MESSAGE }, '*');
    window.addEventListener('message', (event) => {
      if (event.source === window.parent && event.data && event.data.type === FOCUS_MESSAGE) focusSendBox();
    });
    const close = $('#close');
    close.hidden = false;
    close.addEventListener('click', closeEmbed);
    // Escape closes the panel; Web Chat stops the Escape presses it uses itself (leaving a message, a dialog).
    window.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) closeEmbed();
    });
  }

  async function main() {
    wire();
    // Strings and token while webchat.js (3.9 MB) is still being fetched and compiled.
    const token = fetchToken();
    token.catch(() => undefined); // handled below; this only avoids an "unhandled rejection" while we wait
    pageStrings = await fetchJson('/static/locales/page.json').catch((error) => {
      console.error('OSCE assistant: page strings', error);
      return {};
    });
    applyPageStrings();
    try {
      await webChatLoaded();
      await start(await token);
    } catch (error) {
      showError(error);
    }
  }

  main();
})();
