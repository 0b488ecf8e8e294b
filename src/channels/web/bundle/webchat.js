/*
 * The light build of Microsoft's Web Chat that the chat page loads (scripts/build-webchat.mjs bundles this file
 * with esbuild into dist/webchat/webchat.<hash>.js): Web Chat's own component, API and core, Direct Line, React 18
 * in its production build, and only what our replies use. Left out of Microsoft's full bundle: speech (Cognitive
 * Services), Adaptive Cards and the other 40-odd languages. What replaces what the full bundle adds:
 * - markdown: markdown-it with raw HTML off (so no HTML sanitiser is needed), links opening in a new tab;
 * - hero cards (the Mission's contact links): a small renderer of their title, text and buttons.
 * It sets window.WebChat with the same names as Microsoft's bundle (createStore, createDirectLine, renderWebChat…).
 */
import { Components, concatMiddleware, createStyleSet, hooks } from 'botframework-webchat-component';
import ReactWebChat from 'botframework-webchat-component';
import { Constants, createStore, createStoreWithOptions } from 'botframework-webchat-core';
import { DirectLine } from 'botframework-directlinejs';
import MarkdownIt from 'markdown-it';
import React from 'react';
import ReactDOM from 'react-dom';

const h = React.createElement;
const VERSION = process.env.npm_package_version;

// ---- Markdown --------------------------------------------------------------------------------------------------

// The full bundle's settings (linkify, typographer), but without raw HTML: markdown-it then escapes every tag and
// refuses javascript:/vbscript:/file: links itself, so no HTML sanitiser is needed.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true, breaks: false, xhtmlOut: true });
const ZERO_WIDTH_SPACE = '\u200b';
const TRANSPARENT_GIF = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
const isWeb = (href) => /^https?:/i.test(href || '');
const escapeAttribute = (text) => markdown.utils.escapeHtml(text);

// Links as the full bundle makes them: a new tab (the chat is often in a frame), and web links with the "opens in
// a new window" icon, also said in their accessible name; a zero-width space either side, as there.
markdown.renderer.rules.link_open = (tokens, i, options, env, self) => {
  const token = tokens[i];
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  if (isWeb(token.attrGet('href')) && env.externalLinkAlt) {
    let text = '';
    for (let j = i + 1; j < tokens.length && tokens[j].type !== 'link_close'; j++) text += tokens[j].content || '';
    token.attrSet('aria-label', `${text} ${env.externalLinkAlt}`);
  }
  return ZERO_WIDTH_SPACE + self.renderToken(tokens, i, options);
};
markdown.renderer.rules.link_close = (tokens, i, options, env, self) => {
  let open = i - 1;
  while (open > 0 && tokens[open].type !== 'link_open') open--;
  const icon = isWeb(tokens[open] && tokens[open].attrGet('href'))
    ? `<img src="${TRANSPARENT_GIF}" alt="" class="webchat__render-markdown__external-link-icon"${env.externalLinkAlt ? ` title="${escapeAttribute(env.externalLinkAlt)}"` : ''}>`
    : '';
  return icon + self.renderToken(tokens, i, options) + ZERO_WIDTH_SPACE;
};

/**
 * Web Chat calls this for every message in markdown (our replies are) and shows the HTML it returns. Its arguments
 * as Microsoft's renderMarkdown takes them: line-break and link options.
 */
function renderMarkdown(text, { markdownRespectCRLF = false } = {}, { externalLinkAlt = '' } = {}) {
  // As the full bundle: with markdownRespectCRLF, \r\n and \n\r swap (one is a line break, the other a paragraph).
  const source = markdownRespectCRLF ? text.replace(/\n\r|\r\n/g, (pair) => (pair === '\n\r' ? '\r\n' : '\n\r')) : text;
  return markdown.render(source, { externalLinkAlt });
}

// ---- Hero cards --------------------------------------------------------------------------------------------------

const HERO_CARD = 'application/vnd.microsoft.card.hero';
const { useDirection, usePerformCardAction, useStyleOptions } = hooks;

/** A hero card's buttons (title and text when it has them): openUrl as links, the other actions as buttons. */
function HeroCard({ content }) {
  const [styleOptions] = useStyleOptions();
  const [direction] = useDirection();
  const performCardAction = usePerformCardAction();
  const accent = styleOptions.accent || '#0063b1';
  const buttonStyle = {
    display: 'block',
    boxSizing: 'border-box',
    width: '100%',
    margin: '8px 0 0',
    padding: '8px 12px',
    border: `1px solid ${accent}`,
    borderRadius: 4,
    background: '#fff',
    color: accent,
    font: 'inherit',
    textAlign: 'center',
    textDecoration: 'none',
    overflowWrap: 'anywhere',
    cursor: 'pointer',
  };
  const buttons = (content.buttons || []).filter((action) => action && action.title).map((action, index) =>
    action.type === 'openUrl' && typeof action.value === 'string' && /^(https?|mailto|tel):/i.test(action.value)
      ? h('a', { key: index, className: 'osce-card__button', href: action.value, target: '_blank', rel: 'noopener noreferrer', style: buttonStyle }, action.title)
      : h('button', { key: index, className: 'osce-card__button', type: 'button', style: buttonStyle, onClick: () => performCardAction(action) }, action.title),
  );
  return h(
    'div',
    { className: 'osce-card', dir: direction, style: { padding: '4px 12px 12px' } },
    content.title ? h('p', { style: { margin: '8px 0 0', fontWeight: 600 } }, content.title) : null,
    content.subtitle ? h('p', { style: { margin: '4px 0 0' } }, content.subtitle) : null,
    content.text ? h('p', { style: { margin: '4px 0 0' } }, content.text) : null,
    ...buttons,
  );
}

const attachmentMiddleware = () => (next) => (...args) => {
  const attachment = args[0] && args[0].attachment;
  return attachment && attachment.contentType === HERO_CARD && attachment.content ? h(HeroCard, { content: attachment.content }) : next(...args);
};

/** What a screen reader hears for a hero card (Web Chat reads each new message aloud): its texts and button titles. */
const attachmentForScreenReaderMiddleware = () => (next) => (...args) => {
  const attachment = args[0] && args[0].attachment;
  const content = attachment && attachment.contentType === HERO_CARD && attachment.content;
  if (!content) return next(...args);
  const parts = [content.title, content.subtitle, content.text, ...(content.buttons || []).map((button) => button && button.title)];
  return () => h('article', null, parts.filter(Boolean).join(', '));
};

// ---- What the page calls -----------------------------------------------------------------------------------------

/** Web Chat with our markdown and hero cards (added after any the page passes). */
function LightWebChat(props) {
  return h(ReactWebChat, {
    renderMarkdown,
    ...props,
    attachmentMiddleware: [attachmentMiddleware, ...[].concat(props.attachmentMiddleware || [])],
    attachmentForScreenReaderMiddleware: [attachmentForScreenReaderMiddleware, ...[].concat(props.attachmentForScreenReaderMiddleware || [])],
  });
}

function renderWebChat(props, element) {
  // Legacy root, as Microsoft's renderWebChat: calling it again re-renders in place (the page does, on a language switch).
  ReactDOM.render(h(LightWebChat, props), element);
}

/** Direct Line as Microsoft's bundle makes it (no uploads here, but the same form data if there were). */
function createDirectLine(options) {
  return new DirectLine({
    ...options,
    botAgent: `WebChat/${VERSION} (OSCE light)`,
    createFormData: (attachments) => {
      const formData = new FormData();
      for (const { contentType, data, filename, name } of attachments) formData.append(name, new Blob(data, { type: contentType }), filename);
      return formData;
    },
  });
}

window.WebChat = {
  ...window.WebChat,
  Components,
  Constants,
  ReactWebChat: LightWebChat,
  concatMiddleware,
  createDirectLine,
  createStore,
  createStoreWithOptions,
  createStyleSet,
  hooks,
  renderMarkdown,
  renderWebChat,
  version: VERSION,
};
