/* OSCE Mission in Kosovo chat launcher: <script src="https://<assistant>/embed.js" data-lang="sq" data-source="x" async>
   adds a round button and nothing else; the chat (iframe of <assistant>/?embed=1) loads on press. ES2018, no deps.
   It first asks the assistant (GET /api/embed/allowed, a few bytes) whether this page's origin may frame the chat
   (ALLOWED_ORIGINS): when not, the launcher is a link that opens the chat in a new tab, as it is when a frame
   that loaded never says it is ready (a browser shows a refused frame as a broken panel). */
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me || window.osceKosovoChat) return;
  window.osceKosovoChat = 1;
  const origin = new URL(me.src, location.href).origin;
  const T = {
    // Launcher, frame title, "opens in a new tab" (said after the launcher's name when it is a link), close.
    en: ['Chat with the OSCE Mission in Kosovo', 'Assistant of the OSCE Mission in Kosovo', 'opens in a new tab', 'Close the chat'],
    sq: ['Bisedoni me Misionin e OSBE-së në Kosovë', 'Asistenti i Misionit të OSBE-së në Kosovë', 'hapet në një skedë të re', 'Mbyll bisedën'],
    'sr-Latn': ['Razgovarajte sa Misijom OEBS-a na Kosovu', 'Asistent Misije OEBS-a na Kosovu', 'otvara se u novoj kartici', 'Zatvorite razgovor'],
    'sr-Cyrl': ['Разговарајте са Мисијом ОЕБС-а на Косову', 'Асистент Мисије ОЕБС-а на Косову', 'отвара се у новој картици', 'Затворите разговор'],
  };
  const d = me.dataset;
  const tag = (d.lang || document.documentElement.lang || navigator.language || '').toLowerCase();
  const lang = T[d.lang] ? d.lang
    : /^(sq|al)\b/.test(tag) ? 'sq'
    : /^sr\b.*\b(latn|me)\b|^(bs|hr|sh)\b/.test(tag) ? 'sr-Latn'
    : /^sr\b/.test(tag) ? 'sr-Cyrl' : 'en';
  const source = /^[\w.-]{1,64}$/.test(d.source || '') ? d.source : '';
  const css = `:host{all:initial!important}
.b{position:fixed;right:20px;bottom:20px;z-index:2147483647;display:flex;align-items:center;justify-content:center;width:56px;height:56px;padding:0;border:2px solid #fff;border-radius:50%;background:#005493;color:#fff;box-shadow:0 2px 10px rgba(0,0,0,.35);cursor:pointer}
.b:hover{background:#003d6b}
a.b{box-sizing:border-box;text-decoration:none}
.l{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:16px;height:100%;padding:24px;box-sizing:border-box;font:16px/1.4 system-ui,sans-serif;color:#1b1b1b;text-align:center}
.l a{color:#005493;font-weight:600}
.l a:focus-visible,.x:focus-visible{outline:3px solid #005493;outline-offset:2px}
.x{position:absolute;top:8px;right:8px;width:40px;height:40px;padding:8px;border:0;border-radius:50%;background:transparent;color:#1b1b1b;cursor:pointer}
.x svg{width:24px;height:24px;fill:currentColor}
.b:focus-visible{outline:3px solid #ffbf47;box-shadow:0 0 0 6px #000}
.b svg{width:30px;height:30px;fill:currentColor}
.p{position:fixed;right:20px;bottom:92px;z-index:2147483646;width:380px;height:600px;max-width:calc(100vw - 40px);max-height:calc(100vh - 112px);border-radius:12px;overflow:hidden;background:#fff;box-shadow:0 6px 28px rgba(0,0,0,.35)}
.p[hidden]{display:none}
iframe{display:block;width:100%;height:100%;border:0}
@media (max-width:479.98px){.p{top:0;right:0;bottom:0;left:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}.b[aria-expanded=true]{display:none}}
@media (prefers-reduced-motion:no-preference){.p{animation:o .2s ease-out}@keyframes o{from{opacity:0;transform:translateY(12px)}}}`;
  const host = document.createElement('osce-kosovo-chat');
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet]; // not subject to the host page's style-src
  } catch (e) {
    const style = document.createElement('style');
    style.textContent = css;
    root.append(style);
  }
  const NS = 'http://www.w3.org/2000/svg';
  const icon = document.createElementNS(NS, 'svg');
  const path = document.createElementNS(NS, 'path');
  const CHAT = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2h-8l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
  const CLOSE = 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z';
  const set = (el, a) => Object.keys(a).forEach((k) => el.setAttribute(k, a[k]));
  set(icon, { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' });
  path.setAttribute('d', CHAT);
  icon.append(path);
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'b';
  button.lang = lang;
  set(button, { 'aria-label': T[lang][0], 'aria-expanded': 'false', 'aria-controls': 'osce-chat-panel' });
  button.append(icon);
  const panel = document.createElement('div');
  panel.className = 'p';
  panel.id = 'osce-chat-panel';
  panel.hidden = true;
  root.append(button, panel);
  let launcher = button;
  let frame;
  let loaded;
  let ready;
  const chatUrl = (embed) => `${origin}/?${embed ? 'embed=1&' : ''}lang=${lang}${source ? `&source=${source}` : ''}`;
  const post = (type) => frame && frame.contentWindow && frame.contentWindow.postMessage({ type }, origin);
  const isOpen = () => !panel.hidden;

  /** The launcher as a link to the chat page in a new tab (this page may not frame it). */
  const becomeLink = () => {
    if (frame || launcher.tagName === 'A') return;
    const link = document.createElement('a');
    link.className = 'b';
    link.lang = lang;
    link.href = chatUrl(false);
    link.target = '_blank';
    link.rel = 'noopener';
    link.setAttribute('aria-label', `${T[lang][0]} (${T[lang][2]})`);
    link.title = T[lang][2];
    link.append(icon);
    launcher.replaceWith(link);
    launcher = link;
  };

  /** A frame that loaded but never said it is ready was refused: a link in the panel instead of a broken page. */
  const refused = () => {
    if (ready) return;
    const box = document.createElement('div');
    box.className = 'l';
    const link = document.createElement('a');
    link.href = chatUrl(false);
    link.target = '_blank';
    link.rel = 'noopener';
    link.lang = lang;
    link.textContent = `${T[lang][0]} (${T[lang][2]})`;
    // On a phone the panel covers the launcher: it gets its own close button.
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'x';
    close.setAttribute('aria-label', T[lang][3]);
    const x = icon.cloneNode(true);
    x.firstChild.setAttribute('d', CLOSE);
    close.append(x);
    close.addEventListener('click', () => toggle(false));
    box.append(link, close);
    frame.replaceWith(box);
    if (isOpen()) link.focus();
  };

  const toggle = (open) => {
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.title = T[lang][1];
      frame.src = chatUrl(true);
      // Focus goes in once loaded (focus given to the blank frame is lost when it navigates), then to the text box.
      frame.addEventListener('load', () => {
        loaded = 1;
        if (isOpen()) { frame.focus(); post('osce-chat:focus'); }
        setTimeout(refused, 2500); // the page posts "ready" before its load event: this is only slack
      }, { once: true });
      panel.append(frame);
    }
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    path.setAttribute('d', open ? CLOSE : CHAT);
    if (!open) launcher.focus();
    else if (loaded && ready) { frame.focus(); post('osce-chat:focus'); }
    else if (loaded && panel.querySelector('a')) panel.querySelector('a').focus();
  };

  // May this page frame the chat? Asked once, at once (a few bytes); until the answer comes the launcher waits for
  // it. No answer (a network error, this page's connect-src) leaves the frame to try, watched for readiness.
  const allowed = fetch(`${origin}/api/embed/allowed`, { credentials: 'omit', cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : {}))
    .then((a) => a.allowed !== false, () => true)
    .then((yes) => { if (!yes) becomeLink(); return yes; });
  button.addEventListener('click', () => {
    if (isOpen()) return toggle(false);
    allowed.then((yes) => {
      if (yes) toggle(true);
      else window.open(chatUrl(false), '_blank', 'noopener'); // pressed before the answer came (rare)
    });
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen()) toggle(false);
  });
  window.addEventListener('message', (e) => {
    if (!frame || e.source !== frame.contentWindow || e.origin !== origin || !e.data) return;
    if (e.data.type === 'osce-chat:ready') ready = 1;
    if (e.data.type === 'osce-chat:close' && isOpen()) toggle(false);
  });
  const add = () => document.body.append(host);
  if (document.body) add();
  else document.addEventListener('DOMContentLoaded', add);
})();
