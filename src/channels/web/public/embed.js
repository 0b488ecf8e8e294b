/* OSCE Mission in Kosovo chat launcher: <script src="https://<assistant>/embed.js" data-lang="sq" data-source="x" async>
   adds a round button and nothing else; the chat (iframe of <assistant>/?embed=1) loads on press. ES2018, no deps. */
(() => {
  'use strict';
  const me = document.currentScript;
  if (!me || window.osceKosovoChat) return;
  window.osceKosovoChat = 1;
  const origin = new URL(me.src, location.href).origin;
  const T = {
    en: ['Chat with the OSCE Mission in Kosovo', 'Assistant of the OSCE Mission in Kosovo'],
    sq: ['Bisedoni me Misionin e OSBE-së në Kosovë', 'Asistenti i Misionit të OSBE-së në Kosovë'],
    'sr-Latn': ['Razgovarajte sa Misijom OEBS-a na Kosovu', 'Asistent Misije OEBS-a na Kosovu'],
    'sr-Cyrl': ['Разговарајте са Мисијом ОЕБС-а на Косову', 'Асистент Мисије ОЕБС-а на Косову'],
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
  let frame;
  let loaded;
  const isOpen = () => !panel.hidden;
  const toggle = (open) => {
    if (open && !frame) {
      frame = document.createElement('iframe');
      frame.title = T[lang][1];
      frame.src = `${origin}/?embed=1&lang=${lang}${source ? `&source=${source}` : ''}`;
      // Focus goes in once loaded: focus given to the blank frame is lost when it navigates.
      frame.addEventListener('load', () => { loaded = 1; if (isOpen()) frame.focus(); }, { once: true });
      panel.append(frame);
    }
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    path.setAttribute('d', open ? CLOSE : CHAT);
    if (!open) button.focus();
    else if (loaded) frame.focus();
  };
  button.addEventListener('click', () => toggle(!isOpen()));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isOpen()) toggle(false);
  });
  window.addEventListener('message', (e) => {
    if (frame && e.source === frame.contentWindow && e.origin === origin && e.data && e.data.type === 'osce-chat:close' && isOpen()) toggle(false);
  });
  const add = () => document.body.append(host);
  if (document.body) add();
  else document.addEventListener('DOMContentLoaded', add);
})();
