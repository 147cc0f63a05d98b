import { describe, expect, it } from 'vitest';
import { type MessageContent, renderEmail, renderSms } from '../../../src/main/engine/delivery/templates.js';
import { verificationLink } from '../../../src/main/engine/email/verification-link.js';

const AT = Date.UTC(2026, 2, 14, 9, 26, 53);
const TOKEN = 'q3JmZ1w8kT0vYb2N4xR7cD9eF6gH5iJ1kL3mN8oP0aB';
const NOTICES = ['new_device', 'mfa_disabled', 'password_changed', 'backup_codes_low', 'account_locked'] as const;

const notice = (kind: (typeof NOTICES)[number], username = 'alice'): MessageContent => ({
  kind: 'notice',
  notice: kind,
  username,
  at: AT,
  device: 'Alice’s laptop',
  remaining: kind === 'backup_codes_low' ? 2 : null,
});

const EVERY_KIND: readonly MessageContent[] = [
  { kind: 'verification', username: 'alice', link: verificationLink(TOKEN), token: TOKEN, expiresAt: AT },
  { kind: 'code', purpose: 'signin', username: 'alice', code: '482913', expiresAt: AT },
  ...NOTICES.map((kind) => notice(kind)),
  { kind: 'test', sentBy: 'admin', at: AT },
];

/** Every href and every bare URL: a message may carry only the link it is for. */
const linksIn = (text: string): string[] => text.match(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi) ?? [];

describe('message templates', () => {
  it('renders a subject, a text and an HTML part for every kind', () => {
    for (const content of EVERY_KIND) {
      const mail = renderEmail(content);
      expect(mail.subject.length).toBeGreaterThan(10);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.text.length).toBeGreaterThan(mail.subject.length);
      expect(mail.html).toMatch(/^<!doctype html>/);
      expect(mail.html).not.toMatch(/<img|<link|<script|<style|url\(/i);
    }
  });

  it('escapes a hostile username in the HTML', () => {
    const hostile = '<script>alert("x")</script>&';
    for (const content of [
      { kind: 'code', purpose: 'signin', username: hostile, code: '482913', expiresAt: AT } as const,
      notice('new_device', hostile),
      { kind: 'test', sentBy: hostile, at: AT } as const,
    ]) {
      const { html, text } = renderEmail(content);
      expect(html).not.toContain('<script');
      expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;');
      expect(text).toContain(hostile);
    }
  });

  it('gives the link and the token, each on its own line, and when they expire', () => {
    const link = verificationLink(TOKEN);
    const { subject, text, html } = renderEmail({ kind: 'verification', username: 'alice', link, token: TOKEN, expiresAt: AT });
    expect(subject).toBe('Confirm your e-mail address for Latchkey');
    const lines = text.split('\n');
    expect(lines).toContain(link);
    expect(lines).toContain(TOKEN);
    expect(text).toContain('latchkey email verify TOKEN');
    expect(text).toContain('2026-03-14 09:26 UTC');
    expect(text).toMatch(/did not expect this message, ignore it/);
    expect(linksIn(text)).toEqual([link]);
    expect(linksIn(html)).toEqual([link]);
  });

  it('refuses a verification link that would not open Latchkey', () => {
    expect(() =>
      renderEmail({ kind: 'verification', username: 'alice', link: 'https://example.test/verify', token: TOKEN, expiresAt: AT }),
    ).toThrow(/latchkey:\/\//);
  });

  it('says the code, that it expires in 10 minutes, and that Latchkey never asks for it', () => {
    const { subject, text } = renderEmail({ kind: 'code', purpose: 'signin', username: 'alice', code: '482913', expiresAt: AT });
    expect(subject).toBe('Your Latchkey sign-in code');
    expect(text).toContain('Your Latchkey sign-in code is 482913');
    expect(text).toContain('It expires in 10 minutes, at 2026-03-14 09:26 UTC');
    expect(text).toContain('Latchkey will never ask you for this code');
    expect(linksIn(text)).toEqual([]);
  });

  it('keeps the SMS to one short segment', () => {
    const sms = renderSms({ kind: 'code', purpose: 'signin', username: 'alice', code: '482913', expiresAt: AT });
    expect(sms).toBe('Latchkey sign-in code: 482913. It expires in 10 minutes. Do not share it.');
    expect(sms.length).toBeLessThanOrEqual(160);
  });

  it('puts no link in a notice, and says when, where and what to do', () => {
    for (const kind of NOTICES) {
      const { text, html } = renderEmail(notice(kind));
      expect(linksIn(text)).toEqual([]);
      expect(linksIn(html)).toEqual([]);
      expect(html).not.toContain('<a ');
      expect(text).toContain('2026-03-14 09:26 UTC');
      expect(text).toContain('Alice’s laptop');
      expect(text).toMatch(/administrator/);
    }
    expect(renderEmail(notice('backup_codes_low')).text).toMatch(/Only 2 backup codes are left[\s\S]*Settings/);
  });

  it('leaves the device out of a notice when it is not known', () => {
    const { text } = renderEmail({ kind: 'notice', notice: 'password_changed', username: 'alice', at: AT, device: null, remaining: null });
    expect(text).toContain('The password of your Latchkey account "alice" was changed, on 2026-03-14 09:26 UTC.');
  });

  it('names who sent a test message', () => {
    const { subject, text } = renderEmail({ kind: 'test', sentBy: 'admin', at: AT });
    expect(subject).toBe('Latchkey test message');
    expect(text).toContain('sent by admin on 2026-03-14 09:26 UTC');
  });
});
