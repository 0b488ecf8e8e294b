// Builds the light Web Chat bundle the chat page loads: src/channels/web/bundle/webchat.js with esbuild into
// dist/webchat/webchat.<content hash>.js, with .gz and .br files beside it (served as they are) and manifest.json,
// which tells the server the file's name. Web Chat's packages are bundled from their TypeScript sources (they ship
// them) so that only our languages and their number/date formats come along: en-US, sr-Latn, sr-Cyrl (Albanian is
// all in our own strings, src/channels/web/public/locales/webchat-sq.json).
//
//   node scripts/build-webchat.mjs            builds when the sources or the dependencies changed (else says so)
//   node scripts/build-webchat.mjs --force    builds anyway
//   node scripts/build-webchat.mjs --analyse  also lists what weighs most in the bundle
//
// Run by `npm run build` (Dockerfile), and before `npm start` and `npm test` (prestart, pretest).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const ENTRY = join(ROOT, 'src/channels/web/bundle/webchat.js');
const OUT_DIR = join(ROOT, 'dist/webchat');
const MANIFEST = join(OUT_DIR, 'manifest.json');
const NODE_MODULES = join(ROOT, 'node_modules');
/** Web Chat's locales kept (its names, as in getAllLocalizedStrings.ts) and the Globalize locales they use. */
const WEBCHAT_LOCALES = ['en-US', 'sr-Cyrl', 'sr-Latn'];
const GLOBALIZE_LOCALES = ['en', 'sr-Cyrl', 'sr-Latn'];

/** What the bundle is made of: this script, the entry and the installed versions (package-lock.json). */
function inputsHash() {
  const hash = createHash('sha256');
  for (const file of [fileURLToPath(import.meta.url), ENTRY, join(ROOT, 'package-lock.json')]) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
}

const pkg = (name) => join(NODE_MODULES, name);

/** Web Chat's packages from their sources (src/), not from their prebuilt dist/ files, which hold every language. */
const SOURCES = {
  'botframework-webchat-api': 'src/index.ts',
  'botframework-webchat-api/internal': 'src/internal.ts',
  'botframework-webchat-api/decorator': 'src/decorator/index.ts',
  'botframework-webchat-component': 'src/index.ts',
  'botframework-webchat-component/internal': 'src/internal.ts',
  'botframework-webchat-core': 'src/index.ts',
};

/**
 * Stand-ins for modules the chat never uses or that browsers have built in (ES2020, the bundle's target):
 * - Direct Line Streaming (the ASE protocol, 140 kB with its Buffer): we use plain Direct Line 3.0;
 * - core-js polyfills (side effects only) and the URLSearchParams polyfill: built in;
 * - core-js-pure ponyfills (what Babel's corejs3 runtime imports): the built-in functions themselves;
 * - mime, which names the type of files people upload: uploads are off (hideUploadButton), the browser's type stays;
 * - mdast-util-from-markdown (micromark), only asked for the link definitions ([1]: url "title") under a message:
 *   a line-by-line reading of them;
 * - the 2,000 HTML entity names markdown-it knows: the few a text may use (others stay as typed);
 * - speech (react-say, react-dictate-button), which only works with a speech ponyfill, and the page gives none:
 *   components that render nothing (and the speech composer only its children).
 */
const STUBS = {
  'directline-streaming': `exports.DirectLineStreaming = class DirectLineStreaming { constructor() { throw new Error('Direct Line Streaming is not in this build'); } };`,
  empty: '',
  'react-say': `export const Composer = ({ children }) => children ?? null;
export const SayUtterance = () => null;
export default function Say() { return null; }`,
  'react-dictate-button': `export const Composer = () => null;`,
  mime: `export default { getType: () => null, getExtension: () => null };`,
  'mdast-util-from-markdown': `export function fromMarkdown(markdown) {
  const children = [];
  for (const line of String(markdown).split(/\\r?\\n/)) {
    const m = /^ {0,3}\\[([^\\]]+)\\]:\\s*<?([^\\s>]+)>?(?:\\s+(?:"([^"]*)"|'([^']*)'|\\(([^)]*)\\)))?\\s*$/.exec(line);
    if (m) children.push({ type: 'definition', label: m[1], identifier: m[1].replace(/\\s+/g, ' ').trim().toLowerCase(), url: m[2], title: m[3] ?? m[4] ?? m[5] ?? null });
  }
  return { type: 'root', children };
}`,
  entities: `module.exports = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\\u00a0', shy: '\\u00ad', copy: '\\u00a9', reg: '\\u00ae', trade: '\\u2122', hellip: '\\u2026', ndash: '\\u2013', mdash: '\\u2014', laquo: '\\u00ab', raquo: '\\u00bb', lsquo: '\\u2018', rsquo: '\\u2019', ldquo: '\\u201c', rdquo: '\\u201d', bdquo: '\\u201e', euro: '\\u20ac', middot: '\\u00b7', bull: '\\u2022', deg: '\\u00b0', times: '\\u00d7' };`,
};

const SPINNER_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20"><circle cx="10" cy="10" r="8" fill="none" stroke="#7a7a7a" stroke-width="2" stroke-linecap="round" stroke-dasharray="36 15"><animateTransform attributeName="transform" type="rotate" from="0 10 10" to="360 10 10" dur="1s" repeatCount="indefinite"/></circle></svg>`;
const TYPING_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 24" fill="#8a8a8a">${[16, 32, 48]
  .map((x, i) => `<circle cx="${x}" cy="12" r="4"><animate attributeName="opacity" values=".3;1;.3" dur="1.2s" begin="${i * 0.2}s" repeatCount="indefinite"/></circle>`)
  .join('')}</svg>`;

const LICENCE_NOTE = `The Web Chat bundle (webchat.<hash>.js) is built by scripts/build-webchat.mjs from Microsoft's Web Chat
(botframework-webchat-component, -api, -core; MIT, Copyright (c) Microsoft Corporation), botframework-directlinejs
(MIT, Microsoft), React and React DOM (MIT, Meta Platforms, Inc. and affiliates), markdown-it (MIT) and their
dependencies, each under its own licence as published in its npm package. Licence comments found in the sources:
`;

const camel = (name) => name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
const GLOBALS = { 'global-this': 'globalThis', url: 'URL', 'url-search-params': 'URLSearchParams', json: 'JSON' };
/** The built-in behind a core-js-pure feature path (instance/concat, array/is-array, promise, set-timeout…). */
function nativeFor(feature) {
  const [first, second] = feature.replace(/\.js$/, '').replace(/\/index$/, '').split('/');
  const global = (name) => GLOBALS[name] ?? (/^(parse|set|queue)-/.test(name) ? camel(name) : camel(`-${name}`));
  if (first === 'instance') return `export default (it) => it.${camel(second)};`;
  if (second) return `const o = ${global(first)}, v = o.${camel(second)}; export default typeof v === 'function' ? v.bind(o) : v;`;
  if (first === 'get-iterator-method') return `export default (it) => it == null ? undefined : it[Symbol.iterator] ?? it['@@iterator'];`;
  if (first === 'get-iterator') return `export default (it) => it[Symbol.iterator]();`;
  if (first === 'is-iterable') return `export default (it) => it != null && typeof it[Symbol.iterator] === 'function';`;
  if (/^set-(timeout|interval|immediate)$/.test(first) || first === 'queue-microtask') return `export default (...args) => ${camel(first)}(...args);`;
  return `export default ${global(first)};`;
}

const lightPlugin = {
  name: 'webchat-light',
  setup(build) {
    build.onResolve({ filter: /^botframework-webchat-(api|component|core)(\/(internal|decorator))?$/ }, (args) => {
      const name = args.path.split('/')[0];
      return { path: join(pkg(name), SOURCES[args.path]) };
    });
    const stub = (name) => ({ path: name, namespace: 'stub' });
    build.onResolve({ filter: /^\.\/directLineStreaming$/ }, (args) => (/botframework-directlinejs/.test(args.importer) ? stub('directline-streaming') : undefined));
    build.onResolve({ filter: /^(core-js(\/.*)?|url-search-params-polyfill)$/ }, () => stub('empty'));
    build.onResolve({ filter: /^(mime|react-say|react-dictate-button)$/ }, (args) => stub(args.path));
    build.onResolve({ filter: /^mdast-util-from-markdown$/ }, () => stub('mdast-util-from-markdown'));
    build.onLoad({ filter: /markdown-it[\\/]lib[\\/]common[\\/]entities\.js$/ }, () => ({ contents: STUBS.entities, loader: 'js' }));
    build.onResolve({ filter: /^(core-js-pure\/(features|stable|actual|es|full)|@babel\/runtime-corejs3\/core-js(-stable)?)\// }, (args) => ({
      path: args.path.replace(/^(core-js-pure\/(features|stable|actual|es|full)|@babel\/runtime-corejs3\/core-js(-stable)?)\//, ''),
      namespace: 'native',
    }));
    build.onResolve({ filter: /^core-js-pure/ }, (args) => {
      throw new Error(`${args.importer} imports ${args.path}: add it to nativeFor() in scripts/build-webchat.mjs`);
    });
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
    build.onLoad({ filter: /.*/, namespace: 'native' }, (args) => ({ contents: nativeFor(args.path), loader: 'js' }));
    // Only our languages' strings: the table keeps our locales' entries, and the imports only the files they name.
    build.onLoad({ filter: /botframework-webchat-api[\\/]src[\\/]localization[\\/]getAllLocalizedStrings\.ts$/ }, (args) => ({
      contents: slimLocalizedStrings(readFileSync(args.path, 'utf8')),
      loader: 'ts',
    }));
    // Only our languages' precompiled number, date, relative time and unit formats (Globalize's compiled CLDR data).
    build.onLoad({ filter: /botframework-webchat-api[\\/]src[\\/]external[\\/]PrecompiledGlobalize\.js$/ }, (args) => ({
      contents: process.env.NOSLIM ? readFileSync(args.path, 'utf8') : slimGlobalize(readFileSync(args.path, 'utf8')),
      loader: 'js',
    }));
    // The connecting spinner and the typing dots as small animated SVGs instead of GIFs (36 kB and 5 kB of base64).
    build.onLoad({ filter: /botframework-webchat-component[\\/]src[\\/]Styles[\\/]StyleSet[\\/](Spinner|Typing)Animation\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const svg = /Spinner/.test(args.path) ? SPINNER_SVG : TYPING_SVG;
      const contents = source
        .replace(/const DEFAULT_IMAGE_BASE64 =\s*'[^']*';/, `const DEFAULT_IMAGE_BASE64 = '${Buffer.from(svg).toString('base64')}';`)
        .replace("const DEFAULT_IMAGE_TYPE = 'image/gif';", "const DEFAULT_IMAGE_TYPE = 'image/svg+xml';");
      if (contents.includes('image/gif') || contents.length > 4000) throw new Error(`${args.path}: unexpected layout`);
      return { contents, loader: 'ts' };
    });
    // Their .js sources hold JSX too.
    build.onLoad({ filter: /botframework-webchat-(api|component|core)[\\/]src[\\/].*\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8'),
      loader: 'jsx',
    }));
  },
};

/** getAllLocalizedStrings.ts with the entries (`'sr-Latn': srLatnCS,`) of our locales and the imports they use. */
function slimLocalizedStrings(source) {
  const entry = /^\s+'?([\w-]+)'?(?:: (\w+))?,?$/;
  const used = new Set();
  for (const line of source.split('\n')) {
    const m = line.match(entry);
    if (m && WEBCHAT_LOCALES.includes(m[1])) used.add(m[2] ?? m[1]);
  }
  if (used.size !== WEBCHAT_LOCALES.length) throw new Error(`getAllLocalizedStrings.ts: found ${[...used]} for ${WEBCHAT_LOCALES}`);
  const lines = source.split('\n').filter((line) => {
    const imported = line.match(/^import (\w+) from '\.\/[\w-]+\.json';$/);
    if (imported) return used.has(imported[1]);
    const m = line.match(entry);
    return !m || WEBCHAT_LOCALES.includes(m[1]);
  });
  return lines.join('\n');
}

/**
 * PrecompiledGlobalize.js (Web Chat's number, date, relative-time and unit formats, compiled from CLDR for its 50
 * languages) is a list of statements `Globalize.<key> = <formatter>(…)`. We keep those our locales need: the file is
 * run here statement by statement, noting which keys each one reads, then Web Chat's calls (useLocalizer,
 * useDateFormatter, useRelativeTimeFormatter, useByteFormatter) are made for each of our locales; what they read, and
 * what that read when it was made, is kept. The slimmed file is then run again and must answer the same calls.
 */
function slimGlobalize(source) {
  const [head, ...statements] = source.split(/\n(?=Globalize\.[ab]\d+ = )/);
  const exportAt = statements[statements.length - 1].indexOf('\nexport default Globalize;');
  if (!head.includes('import Globalize from') || exportAt < 0) throw new Error('PrecompiledGlobalize.js: unexpected layout');
  const tail = statements[statements.length - 1].slice(exportAt);
  statements[statements.length - 1] = statements[statements.length - 1].slice(0, exportAt);
  const keyOf = (statement) => statement.match(/^Globalize\.([ab]\d+) = /)[1];

  const { reads, roots } = traceGlobalize(head, statements);
  const missing = [...roots].filter((key) => key.startsWith('missing:'));
  if (missing.length) throw new Error(`PrecompiledGlobalize.js does not answer Web Chat's calls: ${missing.join('; ')}`);
  const keep = new Set();
  const visit = (key) => {
    if (keep.has(key)) return;
    keep.add(key);
    for (const dependency of reads.get(key) ?? []) visit(dependency);
  };
  for (const key of roots) visit(key);
  const kept = statements.filter((statement) => keep.has(keyOf(statement)));
  const check = traceGlobalize(head, kept);
  if ([...roots].some((key) => !check.roots.has(key))) throw new Error('PrecompiledGlobalize.js: the slimmed formats do not answer');
  return `${head}\n${kept.join('\n')}${tail}`;
}

/** Runs the statements with a fresh Globalize runtime; returns the keys each one read and those Web Chat's calls read. */
function traceGlobalize(head, statements) {
  const requireFromApi = createRequire(join(pkg('botframework-webchat-api'), 'package.json'));
  const runtimeFiles = ['', '/number', '/plural', '/date', '/relative-time', '/unit'].map((part) => requireFromApi.resolve(`globalize/dist/globalize-runtime${part}`));
  for (const file of runtimeFiles) delete requireFromApi.cache[file];
  const Globalize = requireFromApi(runtimeFiles[0]);
  for (const file of runtimeFiles.slice(1)) requireFromApi(file);

  let reader = '';
  const reads = new Map();
  const roots = new Set();
  // Every key a statement defines becomes a getter that notes who reads it.
  const globalize = new Proxy(Globalize, {
    set(target, key, value) {
      if (typeof key !== 'string' || !/^[ab]\d+$/.test(key)) return Reflect.set(target, key, value);
      Object.defineProperty(target, key, {
        configurable: true,
        enumerable: true,
        get() {
          if (reader === '*') roots.add(key);
          else if (reader) reads.get(reader).add(key);
          return value;
        },
      });
      return true;
    },
  });
  const body = head.replace(/^import .*$/gm, '') + statements.map((statement) => `__reader(${JSON.stringify(statement.match(/^Globalize\.([ab]\d+) = /)[1])});\n${statement}`).join('\n');
  new Function('Globalize', '__reader', body)(globalize, (key) => {
    reader = key;
    reads.set(key, new Set());
  });
  reader = '*';
  const date = new Date(Date.UTC(2026, 0, 15, 13, 45));
  for (const locale of GLOBALIZE_LOCALES) {
    try {
      const g = Globalize(locale);
      for (const n of [0, 1, 2, 5, 21]) g.plural(n);
      g.dateFormatter({ skeleton: 'MMMMdhm' })(date);
      g.relativeTimeFormatter('minute')(-5);
      g.relativeTimeFormatter('hour')(-3);
      g.unitFormatter('byte', { form: 'long' })(512);
      for (const unit of ['kilobyte', 'megabyte', 'gigabyte']) g.unitFormatter(unit, { form: 'short' })(12);
    } catch (error) {
      roots.add(`missing:${locale}:${error.message}`);
    }
  }
  reader = '';
  return { reads, roots };
}

async function main() {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const analyse = args.includes('--analyse');
  const hash = inputsHash();
  const manifest = readManifest();
  if (!force && !analyse && manifest?.inputs === hash && existsSync(join(OUT_DIR, manifest.file))) {
    console.log(`Web Chat bundle up to date: ${relative(ROOT, join(OUT_DIR, manifest.file))}`);
    return;
  }
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('esbuild is not installed: the Web Chat bundle is built with the dev dependencies (npm ci, then npm run build)');
  }
  const started = Date.now();
  const version = JSON.parse(readFileSync(join(pkg('botframework-webchat-component'), 'package.json'), 'utf8')).version;
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    outdir: OUT_DIR,
    entryNames: 'webchat',
    charset: 'utf8',
    legalComments: 'external',
    banner: { js: '/*! Microsoft Web Chat (MIT), light build for the OSCE Mission in Kosovo assistant; licences: /webchat/LICENSES.txt */' },
    metafile: true,
    logLevel: 'warning',
    plugins: [lightPlugin],
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env.node_env': '"production"',
      'process.env.npm_package_version': JSON.stringify(version),
      'process.env.build_tool': '"esbuild"',
      'process.env.module_format': '"iife"',
      global: 'globalThis',
    },
  });
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const legal = result.outputFiles.find((file) => file.path.endsWith('.LEGAL.txt'));
  const contentHash = createHash('sha256').update(js.contents).digest('hex').slice(0, 12);
  const file = `webchat.${contentHash}.js`;
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, file), js.contents);
  const gz = gzipSync(js.contents, { level: 9 });
  const br = brotliCompressSync(js.contents, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: js.contents.length },
  });
  writeFileSync(join(OUT_DIR, `${file}.gz`), gz);
  writeFileSync(join(OUT_DIR, `${file}.br`), br);
  writeFileSync(join(OUT_DIR, 'LICENSES.txt'), `${LICENCE_NOTE}\n${legal ? Buffer.from(legal.contents).toString('utf8') : ''}`);
  const sizes = { bytes: js.contents.length, gzip: gz.length, brotli: br.length };
  // The manifest last (the server reads it), then the builds it no longer names.
  writeFileSync(MANIFEST, `${JSON.stringify({ file, inputs: hash, webChat: version, ...sizes }, null, 2)}\n`);
  for (const old of readdirSync(OUT_DIR)) if (/^webchat\.[0-9a-f]{12}\.js/.test(old) && !old.startsWith(file)) rmSync(join(OUT_DIR, old));
  const kB = (n) => `${(n / 1000).toFixed(0)} kB`;
  console.log(`Web Chat bundle: ${relative(ROOT, join(OUT_DIR, file))}, ${kB(sizes.bytes)} (${kB(sizes.gzip)} gzip, ${kB(sizes.brotli)} brotli) in ${Date.now() - started} ms`);
  if (analyse) {
    const byPackage = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs).find((o) => o.entryPoint).inputs)) {
      const path = input.split('node_modules/').pop();
      const name = input.includes('node_modules/') ? path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/') : input;
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
    for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${String(bytes).padStart(9)}  ${name}`);
  }
}

await main();
