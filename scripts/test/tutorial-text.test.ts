import { describe, expect, it } from 'vitest';
import { STEPS, say, TEXT } from '../lib/tutorial-text.js';

describe('pnpm tutorial text', () => {
  it('says the same things in Korean and English', () => {
    expect(Object.keys(TEXT.ko).sort()).toEqual(Object.keys(TEXT.en).sort());
    for (const lang of ['ko', 'en'] as const) {
      for (const step of STEPS) {
        expect(say(lang, `${step}.title`).length).toBeGreaterThan(3);
        expect(say(lang, `${step}.what`).length).toBeGreaterThan(20);
      }
    }
  });

  it('Korean is Korean', () => {
    for (const [key, text] of Object.entries(TEXT.ko)) {
      if (key.endsWith('.title') && /^[\w\s./→%-]+$/.test(text)) continue; // e.g. "Blue/Green 전환" has Hangul
      expect(text, key).toMatch(/[\uAC00-\uD7A3]/);
    }
  });

  it('an unknown key is an error, not an empty line', () => {
    expect(() => say('ko', 'nope')).toThrow('tutorial text: no "nope" in ko');
  });
});
