import type { CodePurpose } from '../../../shared/delivery.js';
import { MINUTE } from '../clock.js';
import { LINK_SCHEME } from '../email/verification-link.js';

/** What a message says, before it is words: the outbox renders it once, when it is queued. */
export type MessageContent =
  | { readonly kind: 'verification'; readonly username: string; readonly link: string; readonly token: string; readonly expiresAt: number }
  | {
      readonly kind: 'code';
      /** A code to finish a sign-in, or to prove the phone it is sent to. */
      readonly purpose: CodePurpose;
      readonly username: string;
      readonly code: string;
      readonly expiresAt: number;
    }
  | {
      readonly kind: 'notice';
      readonly notice: 'new_device' | 'mfa_disabled' | 'password_changed' | 'backup_codes_low' | 'account_locked' | 'email_changed';
      readonly username: string;
      readonly at: number;
      readonly device: string | null;
      readonly remaining: number | null;
    }
  | { readonly kind: 'test'; readonly sentBy: string; readonly at: number };

/** How long a code sent by mail or SMS works (security-parameters.md); whoever issues one sets its `expiresAt` from this. */
export const SENT_CODE_LIFETIME = 10 * MINUTE;

/**
 * One message as a few blocks, so the plain-text and the HTML part are two renderings of one
 * declaration and cannot say different things. `secret` is a code or token alone on its line, to
 * be copied; `link` is the one link a message may carry.
 */
type Block =
  | { readonly type: 'para'; readonly text: string }
  | { readonly type: 'secret'; readonly text: string }
  | { readonly type: 'link'; readonly href: string; readonly label: string };

interface Message {
  readonly subject: string;
  readonly blocks: readonly Block[];
}

const para = (text: string): Block => ({ type: 'para', text });

/** A moment as a person reads it anywhere: UTC, to the minute ("2026-01-01 14:05 UTC"). */
function utc(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const minutes = (ms: number): string => `${Math.round(ms / MINUTE)} minutes`;

export function renderEmail(content: MessageContent): { subject: string; text: string; html: string } {
  const message = compose(content);
  return { subject: message.subject, text: renderText(message.blocks), html: renderHtml(message) };
}

/** Short enough for one SMS segment; the code comes first so a phone's preview shows it. Links and notices go by mail only. */
export function renderSms(content: Extract<MessageContent, { kind: 'code' | 'test' }>): string {
  if (content.kind === 'test') return `Latchkey test message, sent by ${content.sentBy}: SMS delivery works.`;
  const what = content.purpose === 'signin' ? 'sign-in code' : 'code to confirm this phone';
  return `Latchkey ${what}: ${content.code}. It expires in ${minutes(SENT_CODE_LIFETIME)}. Do not share it.`;
}

function compose(content: MessageContent): Message {
  switch (content.kind) {
    case 'verification':
      // A mail program hands a latchkey:// link to the desktop app; any other link here would be one a person should not follow.
      if (!content.link.startsWith(`${LINK_SCHEME}://`)) throw new Error('a verification mail carries only a latchkey:// link');
      return {
        subject: 'Confirm your e-mail address for Latchkey',
        blocks: [
          para(`Someone asked to use this address for the Latchkey account "${content.username}".`),
          para('To confirm it, open this link on the computer where Latchkey is installed:'),
          { type: 'link', href: content.link, label: 'Confirm this address in Latchkey' },
          para('Or paste this token into Latchkey, or run "latchkey email verify TOKEN" with it:'),
          { type: 'secret', text: content.token },
          para(`The link and the token work once, until ${utc(content.expiresAt)}.`),
          para('If you did not expect this message, ignore it: nothing changes until the address is confirmed.'),
        ],
      };
    case 'code':
      if (content.purpose === 'phone') throw new Error('a code that proves a phone goes by SMS');
      return {
        subject: 'Your Latchkey sign-in code',
        blocks: [
          para(`Your Latchkey sign-in code is ${content.code}`),
          para(
            `Enter it where Latchkey asks for it, to sign in as "${content.username}". ` +
              `It expires in ${minutes(SENT_CODE_LIFETIME)}, at ${utc(content.expiresAt)}.`,
          ),
          para(
            'Latchkey will never ask you for this code by mail, phone or chat. If you did not try to sign in, someone knows your password: ask an administrator.',
          ),
        ],
      };
    case 'notice':
      return composeNotice(content);
    case 'test':
      return {
        subject: 'Latchkey test message',
        blocks: [
          para(`This is a test message from Latchkey, sent by ${content.sentBy} on ${utc(content.at)}.`),
          para('It arrived, so Latchkey can send mail with the settings in force. There is nothing to do.'),
        ],
      };
    default:
      return unreachable(content);
  }
}

/** A notice tells what happened and what to do; it never carries a secret or a link, so a forged one cannot lure anyone anywhere. */
function composeNotice(content: Extract<MessageContent, { kind: 'notice' }>): Message {
  const account = `your Latchkey account "${content.username}"`;
  const when = utc(content.at);
  const where = content.device === null ? '' : ` on the device "${content.device}"`;
  const notYou = para('If this was not you, ask a Latchkey administrator at once: they can end every session and reset the password.');
  switch (content.notice) {
    case 'new_device':
      return {
        subject: 'New sign-in to your Latchkey account',
        blocks: [
          para(`Someone signed in to ${account} from a new device${content.device === null ? '' : ` ("${content.device}")`}, on ${when}.`),
          notYou,
        ],
      };
    case 'mfa_disabled':
      return {
        subject: 'Two-step sign-in was turned off for your Latchkey account',
        blocks: [para(`Two-step sign-in was turned off for ${account}${where}, on ${when}. Your password alone now signs you in.`), notYou],
      };
    case 'password_changed':
      return {
        subject: 'Your Latchkey password was changed',
        blocks: [para(`The password of ${account} was changed${where}, on ${when}.`), notYou],
      };
    case 'backup_codes_low': {
      const left =
        content.remaining === null
          ? 'Only a few backup codes are'
          : `Only ${content.remaining} backup code${content.remaining === 1 ? ' is' : 's are'}`;
      return {
        subject: 'You are running out of Latchkey backup codes',
        blocks: [
          para(`${left} left for ${account} (last one used on ${when}${where}).`),
          para('Make a new set in Latchkey under Settings, Backup codes, before you need one; the new set replaces the old.'),
          para('If you did not use a backup code, ask a Latchkey administrator at once.'),
        ],
      };
    }
    case 'email_changed':
      return {
        subject: 'The e-mail address of your Latchkey account was changed',
        blocks: [
          para(
            `The e-mail address of ${account} was changed${where}, on ${when}. Mail from Latchkey now goes to the new address, not to this one.`,
          ),
          notYou,
        ],
      };
    case 'account_locked':
      return {
        subject: 'Your Latchkey account was locked',
        blocks: [
          para(`${capitalise(account)} was locked on ${when}${where}, after repeated failed sign-in attempts.`),
          para('It unlocks by itself after a while, or an administrator can unlock it sooner.'),
          para('If these attempts were not yours, someone may be guessing your password: tell a Latchkey administrator.'),
        ],
      };
    default:
      return unreachable(content.notice);
  }
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function unreachable(value: never): never {
  throw new Error(`no template for ${JSON.stringify(value)}`);
}

function renderText(blocks: readonly Block[]): string {
  return `${blocks.map((block) => (block.type === 'link' ? block.href : block.text)).join('\n\n')}\n`;
}

/** Every value that reaches the HTML passes through here: a username is whatever an administrator typed. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// No colours of our own: a mail client's light or dark theme then sets both text and background,
// and the one grey border reads on either. Inline styles only, as most mail clients drop <style>.
const P = 'margin:0 0 16px 0';
const SECRET =
  'margin:0 0 16px 0;padding:8px 12px;border:1px solid #888888;border-radius:6px;font-family:Menlo,Consolas,monospace;font-size:20px;letter-spacing:1px;word-break:break-all';
const LINK = 'font-weight:bold;text-decoration:underline';

function renderHtml(message: Message): string {
  const body = message.blocks
    .map((block) => {
      switch (block.type) {
        case 'para':
          return `<p style="${P}">${escapeHtml(block.text)}</p>`;
        case 'secret':
          return `<p style="${SECRET}">${escapeHtml(block.text)}</p>`;
        case 'link':
          return `<p style="${P}"><a href="${escapeHtml(block.href)}" style="${LINK}">${escapeHtml(block.label)}</a></p>`;
        default:
          return unreachable(block);
      }
    })
    .join('\n');
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">',
    `<title>${escapeHtml(message.subject)}</title></head>`,
    '<body style="margin:0;padding:24px;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">',
    `<div style="max-width:560px">\n${body}\n</div>`,
    '</body></html>',
    '',
  ].join('\n');
}
