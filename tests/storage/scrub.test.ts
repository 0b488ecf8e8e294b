import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Analytics } from '../../src/storage/analytics.js';
import { openDatabase } from '../../src/storage/db.js';
import { printable } from '../../src/storage/printable.js';
import { scrub } from '../../src/storage/scrub.js';

describe('scrub', () => {
  it('removes e-mails, links, phones, long numbers and handles', () => {
    expect(scrub('write to ana.k@mail.com or www.x.org/a?b=1')).toBe('write to [e-mail] or [link]');
    expect(scrub('call +383 44 123 456 or 044/123-456 or 038 240 100')).toBe('call [phone] or [phone] or [phone]');
    expect(scrub('my ID 1234567890123 and case 98765')).toBe('my ID [phone] and case [number]');
    expect(scrub('ask @ana_k on twitter')).toBe('ask [handle] on twitter');
    expect(scrub('resolution 1244 of 1 July 1999, 503 posts')).toBe('resolution 1244 of 1 July 1999, 503 posts');
  });

  it('normalises first (NFKC), so full-width and other digits, and hidden characters, hide nothing', () => {
    expect(scrub('call ０４４ １２３ ４５６ please')).toBe('call [phone] please');
    expect(scrub('my ID １２３４５６７８９０１２３')).toBe('my ID [phone]');
    expect(scrub('case ９８７６５')).toBe('case [number]');
    expect(scrub('ana＠mail．com')).toBe('[e-mail]');
    expect(scrub('call 044\u200B123\u200B456 or 044–123–456 or ٠٤٤١٢٣٤٥٦')).toBe('call [phone] or [phone] or [phone]');
  });

  it('removes obfuscated e-mail addresses', () => {
    for (const text of ['name(at)host', 'name (at) host.com', 'name [at] host dot com', 'name @ host.com', 'name@ host.com', 'name at host dot com', 'marko[at]gmail[dot]com', 'ana(majmun)gmail.com', 'ana [et] gmail [pika] com', 'ana@gmail'])
      expect(scrub(`write to ${text} please`), text).toBe('write to [e-mail] please');
  });

  it('removes licence plates, Kosovo and Serbian', () => {
    for (const plate of ['01-123-AB', '01 123 AB', '01123AB', '07-999-ab', '123-KS-456', 'BG 123-AB', 'BG123AB', 'KM 1234-AB', 'NS 12345 ŠŽ', 'bg 123-ab', 'БГ 123-АБ'])
      expect(scrub(`my car ${plate} was towed`), plate).toBe('my car [plate] was towed');
  });

  it('leaves what only looks like them', () => {
    for (const text of ['is it at osce.org?', 'look at 5.30 tomorrow', 'ask @ the desk', 'meet at 10.30 at prizren', 'UN resolution 1244 and EU 2024 plan', 'COVID 19, 12 345 km', 'look at this. Then go', 'office 03 in Peja'])
      expect(scrub(text), text).toBe(text);
  });

  it('keeps no personal data in the folded column either', () => {
    const db = openDatabase(':memory:');
    const analytics = new Analytics(db, 90);
    const reply = { lang: 'en' as const, intent: null, confidence: 0.1, fallback: true, messages: [{ text: 'x' }], quickReplies: [] };
    const said = 'I am ana (at) mail dot com, car ０１-１２３-ＡＢ, phone ０４４ １２３ ４５６';
    analytics.turn({ at: Date.now(), channel: 'web', sessionId: 's', text: said, reply, latencyMs: 1 });
    analytics.flush();
    const row = (db as Database.Database).prepare('SELECT text, normalized FROM unanswered').get() as { text: string; normalized: string };
    expect(row).toEqual({ text: 'I am [e-mail], car [plate], phone [phone]', normalized: 'i am e mail car plate phone phone' });
  });

  it('gives printable text quickly for anything of the length it is given', () => {
    // Unicode oddities and the characters the patterns look for, in any order, up to the 500 characters kept.
    const piece = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('@', '(at)', ' dot ', '.', '-', ' ', '0', '12', 'AB', 'KS', '\x1b[', '\x1b]', '\u202e', '\u200b', '\r\n', '\x9b', '０'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 120 }), (parts) => {
        const text = parts.join('').slice(0, 500);
        const started = performance.now();
        const out = scrub(text);
        // Generous: a pattern that backtracks badly takes seconds on such text, not milliseconds.
        expect(performance.now() - started).toBeLessThan(250);
        expect(out).toBe(printable(out));
        expect(out).not.toMatch(/[\p{Cc}\p{Cf}]/u);
      }),
      { numRuns: 2000, seed: 0x05ce_0120 },
    );
  });
});
