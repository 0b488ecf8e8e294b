/*
 * The staff page: signs in with the staff token, fetches the report (api/report) for a period and shows it as
 * numbers, tables and Chart.js charts. Every value from the server goes into the page as text (textContent,
 * setAttribute), never as markup. The token lives in sessionStorage only: it is gone when the tab is closed.
 */
(function () {
  'use strict';

  /**
   * Every string the page shows, in one place, so that it can be translated. `{name}` is filled in at run time.
   * `locale` formats numbers and dates.
   */
  const STRINGS = {
    locale: 'en-GB',
    pageTitle: 'Citizen assistant – staff report',
    skipLink: 'Skip to the report',
    brand: 'OSCE Mission in Kosovo',
    heading: 'Citizen assistant: what people ask',
    intro:
      'How people use the citizen assistant (the chat on the Mission’s website and on Telegram): what they ask, ' +
      'what it could not answer and how they rate its answers. Only counts and questions are kept, never who asked.',

    signInTitle: 'Sign in',
    signInHelp:
      'Enter the staff token you were given. This browser tab keeps it until you sign out or close the tab; ' +
      'it is not saved anywhere else.',
    tokenLabel: 'Staff token',
    showReport: 'Show report',
    signOut: 'Sign out',
    signedOut: 'You are signed out. The token has been removed from this browser tab.',
    tokenMissing: 'Please enter the staff token.',
    tokenWrong:
      'This token is wrong: the server did not accept it. Check it (capital and small letters count) and try again, ' +
      'or ask the person who runs the assistant for the current token.',

    periodLegend: 'Period',
    last7: 'Last 7 days',
    last30: 'Last 30 days',
    last90: 'Last 90 days',
    between: 'Between two dates',
    fromLabel: 'From',
    toLabel: 'To (included)',
    update: 'Update report',
    datesMissing: 'Choose both dates: “From” and “To”.',
    datesOrder: 'The “From” date must be on or before the “To” date.',
    periodShown: 'Showing {from} to {to} (dates in UTC).',
    loading: 'Loading the report…',
    networkError: 'The report could not be loaded: the server did not answer. Check your connection and try again.',
    serverError: 'The report could not be loaded (the server answered with error {status}). Please try again later.',
    tooManyTries: 'Too many wrong tokens were sent from this address. Wait {minutes} minutes, then sign in again.',
    periodRejected: 'The server did not accept this period. Choose one of the periods above, or two valid dates.',
    nothing: 'Nothing in this period.',
    chartAlternative: 'The figures are in the table below.',
    chartMissing: 'The chart could not be drawn; the figures are in the table below.',
    topOnly: 'The table below lists all {total}, with their figures.',

    totalsTitle: 'Totals',
    totalsExplain:
      'The overall use of the assistant in this period. A message is one question typed or button pressed (the ' +
      'greeting shown when a chat opens is not counted); a chat opened is one visit to the chat or one Start on ' +
      'Telegram, and conversations are the chats in which people sent something. “Not answered” counts the ' +
      'messages the assistant could not answer ' +
      'from the Mission’s fact sheet: it did not understand, asked the person to choose a topic, or does not have ' +
      'that information. A high share means people ask about things the assistant does not cover yet.',
    totalMessages: 'Messages',
    totalConversations: 'Conversations',
    totalConversationsDetail: 'of {opened} chats opened',
    totalNotAnswered: 'Not answered',
    totalNotAnsweredDetail: '{n} of {total} messages',
    totalRatings: 'Ratings',
    totalRatingsDetail: '{up} helpful · {down} not helpful',
    noShare: '–',

    unansweredTitle: 'What people asked that the assistant could not answer',
    unansweredExplain:
      'The questions the assistant could not answer, or answered without being sure, most frequent first (up to 15 ' +
      'per language). The same question written with or without capitals or accents is counted once. These are ' +
      'the best candidates for new content: if many people ask something, consider adding an answer for it.',
    unansweredPrivacy:
      'Personal data was removed before the questions were stored: e-mail addresses, phone numbers, long numbers, ' +
      'web links and @handles appear as [e-mail], [phone], [number], [link] and [handle]. Names cannot be removed ' +
      'automatically, so treat this list as confidential.',
    unansweredCaption: 'Questions in {language}',
    colTimes: 'Times asked',
    colLastAsked: 'Last asked',

    fallbackTitle: 'Not answered, by language and channel',
    fallbackExplain:
      'The share of messages the assistant could not answer, for each language and each channel (web chat, ' +
      'Telegram…). A language or channel with a much higher share than the others may need more content or more ' +
      'example questions in that language.',
    fallbackChart: 'Chart: share of messages not answered in each language, one bar per channel.',
    fallbackHighest: 'Highest: {language}, {channel}, {rate}.',
    fallbackCaption: 'Share of messages not answered, by language and channel',
    colLanguageChannel: 'Language and channel',
    colMessages: 'Messages',
    colNotAnswered: 'Not answered',
    colShareNotAnswered: 'Share not answered',
    axisShare: 'Share not answered',

    topicsTitle: 'Most asked topics',
    topicsExplain:
      'How many times the assistant answered on each topic, including greetings and thanks. It shows what ' +
      'people want to know most, and so which answers matter most to keep accurate and up to date.',
    topicsChart: 'Chart: the {n} most asked topics.',
    topicsFirst: 'Most asked: {topic}, {count} times.',
    topicsCaption: 'All topics, most asked first',
    colTopic: 'Topic',
    colAnswered: 'Times answered',
    colShare: 'Share of answers',
    axisTimes: 'Times answered',

    ratingsTitle: 'Ratings by topic',
    ratingsExplain:
      'After an answer, people can press 👍 (helpful) or 👎 (not helpful). A topic with many 👎 has an answer ' +
      'that may be unclear, out of date or not what people expected: it is worth reading again.',
    ratingsChart: 'Chart: helpful and not helpful ratings of the {n} most rated topics, one bar per topic.',
    ratingsFirst: 'Most rated: {topic}, {up} helpful and {down} not helpful.',
    ratingsCaption: 'Ratings by topic, most rated first',
    up: '👍 Helpful',
    down: '👎 Not helpful',
    colShareHelpful: 'Share helpful',
    axisRatings: 'Ratings',

    sourcesTitle: 'Conversations by source',
    sourcesExplain:
      'Where conversations started, when they came through a labelled link: a QR code on a poster or at an ' +
      'event, a page of the website, a Telegram link. It shows which promotion brings people to the assistant. ' +
      'Conversations that did not come through a labelled link are not listed.',
    sourcesCaption: 'Chats opened by source, most first; the messages sent in them',

    quizTitle: 'Youth quiz',
    quizExplain:
      'Quiz rounds played at events and online, by source (a poster\'s QR code), and how often each question was ' +
      'answered right. A question most people get wrong may need a clearer wording, or a topic worth explaining more.',
    quizRoundsCaption: 'Quiz rounds by source',
    quizQuestionsCaption: 'Answers by question',
    colStarted: 'Rounds started',
    colFinished: 'Rounds finished',
    colQuestion: 'Question',
    colAnswers: 'Answers',
    colRight: 'Right',
    colShareRight: 'Share right',
    noSource: '(no source)',
    colSource: 'Source',
    colOpened: 'Chats opened',

    languages: { en: 'English', sq: 'Albanian', 'sr-Latn': 'Serbian (Latin)', 'sr-Cyrl': 'Serbian (Cyrillic)' },
    channels: { web: 'Web chat', telegram: 'Telegram', botframework: 'Bot Framework (Teams, …)', cli: 'Terminal', ask: 'Batch (ask)' },
  };

  /** Where the token is kept: this tab only. */
  const TOKEN_KEY = 'osce-assistant-staff-token';
  const LANGUAGE_ORDER = ['en', 'sq', 'sr-Latn', 'sr-Cyrl'];
  /** How many bars the topic and rating charts show; the tables list everything. */
  const TOP = 15;
  /** Sober colours with at least 3:1 contrast on white (WCAG 1.4.11); OSCE blue first. */
  const PALETTE = ['#005493', '#b35900', '#2e7d32', '#6a3d9a', '#595959', '#8a1c1c'];
  const UP_COLOUR = '#005493';
  const DOWN_COLOUR = '#b3261e';
  const DAY_MS = 86400000;

  const numberFormat = new Intl.NumberFormat(STRINGS.locale);
  const percentFormat = new Intl.NumberFormat(STRINGS.locale, { style: 'percent', maximumFractionDigits: 1 });
  const dayFormat = new Intl.DateTimeFormat(STRINGS.locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const dateOnlyFormat = new Intl.DateTimeFormat(STRINGS.locale, { day: 'numeric', month: 'short', year: 'numeric' });
  const hourFormat = new Intl.DateTimeFormat(STRINGS.locale, { hour: '2-digit', minute: '2-digit' });

  const $ = (selector) => document.querySelector(selector);
  const ui = {
    notice: $('#notice'),
    signIn: $('#sign-in'),
    signInForm: $('#sign-in-form'),
    token: $('#token'),
    signInError: $('#sign-in-error'),
    signOut: $('#sign-out'),
    report: $('#report'),
    periodForm: $('#period-form'),
    from: $('#from'),
    to: $('#to'),
    periodError: $('#period-error'),
    periodShown: $('#period-shown'),
  };
  /** Charts on the page, destroyed before they are drawn again. */
  let charts = [];
  /** Only the answer to the latest request is shown (periods can be changed faster than the server answers). */
  let requestNumber = 0;
  /** When sessionStorage is unavailable (some privacy settings), the token stays in memory, for this page only. */
  let memoryToken = null;

  // ---- Text helpers ----

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }
  const count = (n) => numberFormat.format(Number(n) || 0);
  const percent = (x) => percentFormat.format(Number(x) || 0);
  const languageName = (code) => STRINGS.languages[code] || String(code);
  const channelName = (code) => STRINGS.channels[code] || String(code);
  /** `problem_domestic_violence` → `Problem domestic violence`. */
  function topicName(intent) {
    const words = String(intent).replace(/_/g, ' ').trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  function day(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? '' : dayFormat.format(date);
  }
  /** A date and time as a <time> element, the date and the time each kept on one line. */
  function moment(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const node = el('time', { attrs: { datetime: date.toISOString() } });
    node.append(el('span', { className: 'nowrap', text: dateOnlyFormat.format(date) }), ' ', el('span', { className: 'nowrap', text: hourFormat.format(date) }));
    return node;
  }
  /** `{from, to}` of the report as days: `to` is exclusive, so the last day shown is the one before it. */
  function periodDays(report) {
    const last = new Date(Date.parse(report.to) - 1).toISOString();
    return { from: day(report.from), to: day(last) };
  }

  // ---- DOM helpers (text only) ----

  function el(tag, options, children) {
    const node = document.createElement(tag);
    const o = options || {};
    if (o.className) node.className = o.className;
    if (o.text !== undefined) node.textContent = String(o.text);
    if (o.attrs) for (const [name, value] of Object.entries(o.attrs)) node.setAttribute(name, String(value));
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function applyStrings() {
    document.title = STRINGS.pageTitle;
    document.documentElement.lang = STRINGS.locale.split('-')[0];
    for (const node of document.querySelectorAll('[data-text]')) node.textContent = STRINGS[node.dataset.text] || '';
  }

  function show(node, message) {
    node.textContent = message || '';
    node.hidden = !message;
  }

  /**
   * A table: `columns` are `{label, numeric?, className?}`; each row is a list of cells, each a value, a node or
   * `{text, lang?}`. The first cell of a row is its header. Wrapped in a region that scrolls sideways if a narrow
   * screen cannot fit it.
   */
  function table(caption, columns, rows) {
    const head = el(
      'tr',
      {},
      columns.map((c) => el('th', { text: c.label, className: [c.numeric ? 'num' : '', c.className || ''].join(' ').trim(), attrs: { scope: 'col' } })),
    );
    const body = rows.map((row) =>
      el(
        'tr',
        {},
        row.map((cell, i) => {
          const value = cell instanceof Node ? { nodes: [cell] } : cell !== null && typeof cell === 'object' ? cell : { text: cell };
          const node = el(i === 0 ? 'th' : 'td', { text: value.text, className: [columns[i].numeric ? 'num' : '', columns[i].className || ''].join(' ').trim() }, value.nodes);
          if (i === 0) node.setAttribute('scope', 'row');
          if (value.lang) node.lang = value.lang;
          return node;
        }),
      ),
    );
    // The caption names the table for screen readers; the section's heading and text already say it on screen.
    const t = el('table', {}, [el('caption', { text: caption, className: 'visually-hidden' }), el('thead', {}, [head]), el('tbody', {}, body)]);
    return el('div', { className: 'table-wrap', attrs: { role: 'region', 'aria-label': caption, tabindex: 0 } }, [t]);
  }

  const nothing = () => el('p', { className: 'nothing', text: STRINGS.nothing });

  /**
   * A chart in a figure: the canvas is an image with a text alternative (aria-label), the caption says what it
   * shows and that the table has the figures. Drawn once the figure is in the page (Chart.js measures it).
   */
  function figure(label, caption, height, config) {
    const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': label }, text: label });
    const box = el('div', { className: 'chart' }, [canvas]);
    box.style.height = `${height}px`;
    const fig = el('figure', {}, [box, el('figcaption', { text: caption })]);
    return {
      node: fig,
      draw() {
        if (typeof window.Chart !== 'function') {
          box.replaceChildren(el('p', { className: 'nothing', text: STRINGS.chartMissing }));
          box.style.height = 'auto';
          return;
        }
        charts.push(new window.Chart(canvas, config));
      },
    };
  }

  /** Long topic names on two lines in a chart's axis, so that the bars keep their room on a phone. */
  function wrapLabel(text, longest = 18) {
    if (text.length <= longest || !text.includes(' ')) return text;
    const words = text.split(' ');
    const half = Math.ceil(words.length / 2);
    return [words.slice(0, half).join(' '), words.slice(half).join(' ')].filter(Boolean);
  }

  function chartDefaults() {
    const Chart = window.Chart;
    if (typeof Chart !== 'function') return;
    Chart.defaults.locale = STRINGS.locale;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 13;
    Chart.defaults.color = '#1b1b1b';
    Chart.defaults.borderColor = '#d5dbe3';
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.plugins.legend.labels.boxWidth = 14;
  }

  // ---- The sections ----

  function bigNumber(label, value, detail) {
    return el('div', { className: 'figure-card' }, [
      el('p', { className: 'figure-label', text: label }),
      el('p', { className: 'figure-value', text: value }),
      detail ? el('p', { className: 'figure-detail', text: detail }) : null,
    ]);
  }

  function renderTotals(report) {
    const t = report.totals;
    const up = report.ratings.reduce((n, r) => n + (Number(r.up) || 0), 0);
    const down = report.ratings.reduce((n, r) => n + (Number(r.down) || 0), 0);
    const cards = el('div', { className: 'figures' }, [
      bigNumber(STRINGS.totalMessages, count(t.turns)),
      bigNumber(STRINGS.totalConversations, count(t.conversations), fill(STRINGS.totalConversationsDetail, { opened: count(t.opened ?? t.conversations) })),
      bigNumber(
        STRINGS.totalNotAnswered,
        t.turns ? percent(t.fallbacks / t.turns) : STRINGS.noShare,
        fill(STRINGS.totalNotAnsweredDetail, { n: count(t.fallbacks), total: count(t.turns) }),
      ),
      bigNumber(STRINGS.totalRatings, count(t.ratings), fill(STRINGS.totalRatingsDetail, { up: count(up), down: count(down) })),
    ]);
    return [cards, t.turns || t.ratings || t.opened ? null : nothing()];
  }

  function renderUnanswered(report) {
    if (!report.unanswered.length) return [nothing()];
    const byLanguage = new Map();
    for (const u of report.unanswered) {
      if (!byLanguage.has(u.lang)) byLanguage.set(u.lang, []);
      byLanguage.get(u.lang).push(u);
    }
    const rank = (lang) => (LANGUAGE_ORDER.includes(lang) ? LANGUAGE_ORDER.indexOf(lang) : LANGUAGE_ORDER.length);
    const languages = [...byLanguage.keys()].sort((a, b) => rank(a) - rank(b) || String(a).localeCompare(String(b)));
    const columns = [{ label: STRINGS.colQuestion }, { label: STRINGS.colTimes, numeric: true, className: 'col-count' }, { label: STRINGS.colLastAsked, className: 'col-when' }];
    return languages.map((lang) =>
      el('div', { className: 'language-block' }, [
        el('h3', { text: languageName(lang) }),
        table(
          fill(STRINGS.unansweredCaption, { language: languageName(lang) }),
          columns,
          byLanguage.get(lang).map((u) => [{ text: u.text, lang: LANGUAGE_ORDER.includes(lang) ? lang : '' }, count(u.count), moment(u.lastAt)]),
        ),
      ]),
    );
  }

  function renderFallback(report) {
    const rows = report.fallbackRates;
    if (!rows.length) return { nodes: [nothing()] };
    const languages = [...new Set(rows.map((r) => r.lang))].sort(
      (a, b) => (LANGUAGE_ORDER.indexOf(a) + 1 || 99) - (LANGUAGE_ORDER.indexOf(b) + 1 || 99) || String(a).localeCompare(String(b)),
    );
    const channels = [...new Set(rows.map((r) => r.channel))].sort();
    const find = (lang, channel) => rows.find((r) => r.lang === lang && r.channel === channel);
    const highest = rows.reduce((a, b) => (b.rate > a.rate ? b : a));
    const caption = `${STRINGS.fallbackChart} ${STRINGS.chartAlternative}`;
    const label = `${STRINGS.fallbackChart} ${fill(STRINGS.fallbackHighest, {
      language: languageName(highest.lang),
      channel: channelName(highest.channel),
      rate: percent(highest.rate),
    })} ${STRINGS.chartAlternative}`;
    const chart = figure(label, caption, 300, {
      type: 'bar',
      data: {
        labels: languages.map((lang) => wrapLabel(languageName(lang), 10)),
        datasets: channels.map((channel, i) => ({
          label: channelName(channel),
          data: languages.map((lang) => {
            const r = find(lang, channel);
            return r ? Math.round(r.rate * 1000) / 10 : null;
          }),
          backgroundColor: PALETTE[i % PALETTE.length],
          maxBarThickness: 56,
        })),
      },
      options: {
        scales: {
          y: { beginAtZero: true, suggestedMax: 100, max: 100, title: { display: true, text: STRINGS.axisShare }, ticks: { callback: (v) => percent(v / 100) } },
          x: { ticks: { autoSkip: false } },
        },
        plugins: {
          legend: { display: true, position: 'bottom' },
          tooltip: {
            callbacks: {
              label: (item) => {
                const r = find(languages[item.dataIndex], channels[item.datasetIndex]);
                return r ? `${channelName(r.channel)}: ${percent(r.rate)} (${fill(STRINGS.totalNotAnsweredDetail, { n: count(r.fallbacks), total: count(r.turns) })})` : '';
              },
            },
          },
        },
      },
    });
    const ordered = languages.flatMap((lang) => channels.map((channel) => find(lang, channel)).filter(Boolean));
    const t = table(
      STRINGS.fallbackCaption,
      [{ label: STRINGS.colLanguageChannel }, { label: STRINGS.colMessages, numeric: true }, { label: STRINGS.colNotAnswered, numeric: true }, { label: STRINGS.colShareNotAnswered, numeric: true }],
      ordered.map((r) => [
        { nodes: [el('span', { className: 'cell-main', text: languageName(r.lang) }), el('span', { className: 'cell-sub', text: channelName(r.channel) })] },
        count(r.turns),
        count(r.fallbacks),
        percent(r.rate),
      ]),
    );
    return { nodes: [chart.node, t], charts: [chart] };
  }

  /** Height of a horizontal bar chart with `n` bars (two-line labels need a little more). */
  const barsHeight = (n) => Math.max(140, n * 34 + 70);

  function renderTopics(report) {
    const rows = report.topics;
    if (!rows.length) return { nodes: [nothing()] };
    const total = rows.reduce((n, r) => n + (Number(r.count) || 0), 0);
    const top = rows.slice(0, TOP);
    const rest = rows.length > TOP ? fill(STRINGS.topOnly, { total: count(rows.length) }) : STRINGS.chartAlternative;
    const caption = `${fill(STRINGS.topicsChart, { n: top.length })} ${rest}`;
    const label = `${fill(STRINGS.topicsChart, { n: top.length })} ${fill(STRINGS.topicsFirst, { topic: topicName(top[0].intent), count: count(top[0].count) })} ${rest}`;
    const chart = figure(label, caption, barsHeight(top.length), {
      type: 'bar',
      data: {
        labels: top.map((r) => wrapLabel(topicName(r.intent))),
        datasets: [{ label: STRINGS.axisTimes, data: top.map((r) => r.count), backgroundColor: PALETTE[0], maxBarThickness: 26 }],
      },
      options: {
        indexAxis: 'y',
        scales: { x: { beginAtZero: true, ticks: { precision: 0, maxRotation: 0, autoSkipPadding: 12 }, title: { display: true, text: STRINGS.axisTimes } }, y: { ticks: { autoSkip: false } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => topicName(top[items[0].dataIndex].intent) } } },
      },
    });
    const t = table(
      STRINGS.topicsCaption,
      [{ label: STRINGS.colTopic }, { label: STRINGS.colAnswered, numeric: true }, { label: STRINGS.colShare, numeric: true }],
      rows.map((r) => [topicName(r.intent), count(r.count), percent(total ? r.count / total : 0)]),
    );
    return { nodes: [chart.node, t], charts: [chart] };
  }

  function renderRatings(report) {
    const rows = report.ratings;
    if (!rows.length) return { nodes: [nothing()] };
    const top = rows.slice(0, TOP);
    const rest = rows.length > TOP ? fill(STRINGS.topOnly, { total: count(rows.length) }) : STRINGS.chartAlternative;
    const caption = `${fill(STRINGS.ratingsChart, { n: top.length })} ${rest}`;
    const first = fill(STRINGS.ratingsFirst, { topic: topicName(top[0].intent), up: count(top[0].up), down: count(top[0].down) });
    const label = `${fill(STRINGS.ratingsChart, { n: top.length })} ${first} ${rest}`;
    const chart = figure(label, caption, barsHeight(top.length) + 30, {
      type: 'bar',
      data: {
        labels: top.map((r) => wrapLabel(topicName(r.intent))),
        datasets: [
          { label: STRINGS.up, data: top.map((r) => r.up), backgroundColor: UP_COLOUR, maxBarThickness: 26 },
          { label: STRINGS.down, data: top.map((r) => r.down), backgroundColor: DOWN_COLOUR, maxBarThickness: 26 },
        ],
      },
      options: {
        indexAxis: 'y',
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0, maxRotation: 0, autoSkipPadding: 12 }, title: { display: true, text: STRINGS.axisRatings } },
          y: { stacked: true, ticks: { autoSkip: false } },
        },
        plugins: { legend: { display: true, position: 'bottom' }, tooltip: { callbacks: { title: (items) => topicName(top[items[0].dataIndex].intent) } } },
      },
    });
    const t = table(
      STRINGS.ratingsCaption,
      [{ label: STRINGS.colTopic }, { label: STRINGS.up, numeric: true }, { label: STRINGS.down, numeric: true }, { label: STRINGS.colShareHelpful, numeric: true }],
      rows.map((r) => {
        const all = (Number(r.up) || 0) + (Number(r.down) || 0);
        return [topicName(r.intent), count(r.up), count(r.down), all ? percent(r.up / all) : STRINGS.noShare];
      }),
    );
    return { nodes: [chart.node, t], charts: [chart] };
  }

  function renderSources(report) {
    if (!report.sources.length) return [nothing()];
    return [
      table(
        STRINGS.sourcesCaption,
        [{ label: STRINGS.colSource }, { label: STRINGS.colOpened, numeric: true }, { label: STRINGS.colMessages, numeric: true }],
        report.sources.map((s) => [s.source, count(s.conversations), count(s.turns)]),
      ),
    ];
  }

  function renderQuiz(report) {
    const quiz = report.quiz || { rounds: [], questions: [] };
    if (!quiz.rounds.length && !quiz.questions.length) return [nothing()];
    return [
      table(
        STRINGS.quizRoundsCaption,
        [{ label: STRINGS.colSource }, { label: STRINGS.colStarted, numeric: true }, { label: STRINGS.colFinished, numeric: true }],
        quiz.rounds.map((r) => [r.source || STRINGS.noSource, count(r.started), count(r.finished)]),
      ),
      table(
        STRINGS.quizQuestionsCaption,
        [{ label: STRINGS.colQuestion }, { label: STRINGS.colAnswers, numeric: true }, { label: STRINGS.colRight, numeric: true }, { label: STRINGS.colShareRight, numeric: true }],
        quiz.questions.map((q) => [q.text || q.question, count(q.answered), count(q.right), q.answered ? percent(q.right / q.answered) : STRINGS.noShare]),
      ),
    ];
  }

  /** Fills in every section, then draws the charts (their figures must be in the page to be measured). */
  function render(report) {
    clearReport();
    ui.periodShown.textContent = fill(STRINGS.periodShown, periodDays(report));
    // The date fields follow the period shown, so that "between two dates" starts from it.
    const first = String(report.from).slice(0, 10);
    const last = new Date(Date.parse(report.to) - 1);
    if (/^\d{4}-\d{2}-\d{2}$/.test(first) && !Number.isNaN(last.getTime())) {
      ui.from.value = first;
      ui.to.value = last.toISOString().slice(0, 10);
    }
    const body = (id) => document.querySelector(`#${id} .body`);
    body('totals').replaceChildren(...renderTotals(report).filter(Boolean));
    body('unanswered').replaceChildren(...renderUnanswered(report));
    body('sources').replaceChildren(...renderSources(report));
    body('quiz').replaceChildren(...renderQuiz(report));
    const drawn = [];
    for (const [id, part] of [
      ['fallback', renderFallback(report)],
      ['topics', renderTopics(report)],
      ['ratings', renderRatings(report)],
    ]) {
      body(id).replaceChildren(...part.nodes);
      drawn.push(...(part.charts || []));
    }
    for (const chart of drawn) {
      try {
        chart.draw();
      } catch (error) {
        console.warn('chart not drawn', error);
      }
    }
  }

  function clearReport() {
    for (const chart of charts) chart.destroy();
    charts = [];
    for (const node of document.querySelectorAll('#report .body')) node.replaceChildren();
    ui.periodShown.textContent = '';
  }

  // ---- Token, period and loading ----

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || memoryToken;
    } catch {
      return memoryToken;
    }
  }
  function keepToken(token) {
    memoryToken = null;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      memoryToken = token;
    }
  }

  const toDateInput = (date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

  /** The chosen period as query parameters, or an error message. */
  function chosenPeriod() {
    const choice = ui.periodForm.querySelector('input[name="period"]:checked');
    const value = choice ? choice.value : '30';
    if (value !== 'custom') return { query: { days: value } };
    const from = ui.from.value;
    const to = ui.to.value;
    if (!from || !to) return { error: STRINGS.datesMissing };
    if (from > to) return { error: STRINGS.datesOrder };
    return { query: { from, to } };
  }

  function setSignedIn(signedIn) {
    ui.signIn.hidden = signedIn;
    ui.report.hidden = !signedIn;
    ui.signOut.hidden = !signedIn;
  }

  function showSignIn(error) {
    clearReport();
    setSignedIn(false);
    show(ui.signInError, error);
    ui.token.setAttribute('aria-invalid', error ? 'true' : 'false');
    ui.token.focus();
    if (error) ui.token.select();
  }

  /**
   * Fetches the report for the chosen period with `token`. Returns true when it is shown. A refused token is
   * forgotten and the sign-in box says so.
   */
  async function load(token) {
    const period = chosenPeriod();
    show(ui.periodError, period.error);
    if (period.error) return false;
    const mine = ++requestNumber;
    ui.report.setAttribute('aria-busy', 'true');
    ui.notice.textContent = STRINGS.loading;
    let response;
    try {
      response = await fetch(`api/report?${new URLSearchParams(period.query)}`, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        cache: 'no-store',
      });
    } catch {
      if (mine !== requestNumber) return false;
      ui.report.removeAttribute('aria-busy');
      ui.notice.textContent = STRINGS.networkError;
      return false;
    }
    if (mine !== requestNumber) return false;
    ui.report.removeAttribute('aria-busy');
    if (response.status === 401) {
      keepToken(null);
      ui.notice.textContent = '';
      showSignIn(STRINGS.tokenWrong);
      return false;
    }
    if (response.status === 429) {
      keepToken(null);
      ui.notice.textContent = '';
      showSignIn(fill(STRINGS.tooManyTries, { minutes: Math.ceil(Number(response.headers.get('retry-after') || 900) / 60) }));
      return false;
    }
    if (response.status === 400) {
      ui.notice.textContent = '';
      show(ui.periodError, STRINGS.periodRejected);
      return false;
    }
    let report;
    try {
      if (!response.ok) throw new Error(String(response.status));
      report = await response.json();
    } catch {
      ui.notice.textContent = fill(STRINGS.serverError, { status: response.status });
      return false;
    }
    if (mine !== requestNumber) return false;
    keepToken(token);
    setSignedIn(true);
    render(report);
    ui.notice.textContent = '';
    return true;
  }

  function start() {
    applyStrings();
    chartDefaults();
    const today = new Date();
    ui.to.value = toDateInput(today);
    ui.from.value = toDateInput(new Date(today.getTime() - 29 * DAY_MS));
    ui.to.max = ui.to.value;
    ui.from.max = ui.to.value;

    ui.signInForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const token = ui.token.value.trim();
      if (!token) return showSignIn(STRINGS.tokenMissing);
      show(ui.signInError, '');
      ui.token.removeAttribute('aria-invalid');
      if (await load(token)) {
        ui.token.value = '';
        document.getElementById('totals-title').focus();
      }
    });

    ui.signOut.addEventListener('click', () => {
      requestNumber++;
      keepToken(null);
      showSignIn('');
      ui.notice.textContent = STRINGS.signedOut;
    });

    // A preset period loads at once; editing a date selects "between two dates" and waits for the button.
    ui.periodForm.addEventListener('change', (event) => {
      const target = event.target;
      if (target.name === 'period' && target.value !== 'custom') {
        show(ui.periodError, '');
        const token = storedToken();
        if (token) load(token);
      } else if (target === ui.from || target === ui.to) {
        ui.periodForm.querySelector('input[value="custom"]').checked = true;
      }
    });
    ui.periodForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = storedToken();
      if (token) load(token);
      else showSignIn('');
    });

    document.getElementById('totals-title').tabIndex = -1;
    const token = storedToken();
    if (token) {
      setSignedIn(true);
      load(token);
    } else {
      setSignedIn(false);
      ui.signIn.hidden = false;
    }
  }

  start();
})();
