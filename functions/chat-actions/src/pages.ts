// The pages a link shows: small HTML, no script, every value escaped, sent with headers
// that keep them out of caches, frames and other sites' referrers.
import type { SnoozeClaim } from '@nightshift/links';
import { KIND_NAMES, parseResource } from './resources.ts';
import type { SnoozeResult } from './snooze.ts';

/** The response a Function URL sends back. */
export interface UrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The headers of every page. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * `text` with the five characters that mean something in HTML (text or a quoted attribute)
 * written as entities.
 *
 * @example
 * escapeHtml('<script>"x" & \'y\''); // '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;'
 */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);

/** Markup made by `html`: put into other markup as it is. */
class Markup {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
type Value = string | number | Markup | readonly Value[];

const render = (value: Value): string =>
  value instanceof Markup
    ? value.text
    : Array.isArray(value)
      ? value.map(render).join('')
      : escapeHtml(String(value));

/** A template of markup whose every interpolated value is escaped (unless it is markup itself). */
const html = (strings: TemplateStringsArray, ...values: Value[]): Markup =>
  new Markup(
    strings.reduce((out, text, index) => {
      const value = values[index];
      return out + text + (value === undefined ? '' : render(value));
    }, ''),
  );

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}' +
  'h1{font-size:1.4rem}ul{padding-left:1.2rem}code{background:#f2f2f2;padding:0 .2rem}' +
  'button{font-size:1rem;padding:.5rem 1.2rem;border:0;border-radius:4px;background:#1f6feb;color:#fff;cursor:pointer}' +
  '.muted{color:#555}';

/** A whole page with the common headers. */
export const page = (statusCode: number, title: string, content: Markup): UrlResponse => ({
  statusCode,
  headers: { ...PAGE_HEADERS },
  body: `<!doctype html>\n${
    html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title><style>${new Markup(STYLE)}</style></head><body><h1>${title}</h1>${content}</body></html>`
      .text
  }\n`,
});

/** `2026-03-02 19:00 UTC`. */
export const utcTime = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/**
 * How far `until` is from `now`, in words, to the minute.
 *
 * @example
 * inWords(new Date('2026-03-02T17:30:00Z'), '2026-03-02T19:00:00.000Z'); // 'in 1 hour 30 minutes'
 */
export const inWords = (now: Date, until: string): string => {
  const minutes = Math.round((Date.parse(until) - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const parts = [
    hours > 0 ? `${hours} hour${hours === 1 ? '' : 's'}` : '',
    rest > 0 ? `${rest} minute${rest === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `in ${parts.join(' ')}`;
};

/** One resource of a link as a list item: its kind in words and its id. */
const resourceItem = (name: string, reason?: string): Markup => {
  const ref = parseResource(name);
  const what = ref
    ? html`${KIND_NAMES[ref.kind]} <code>${ref.id}</code>`
    : html`<code>${name}</code>`;
  return reason === undefined ? html`<li>${what}</li>` : html`<li>${what}: ${reason}</li>`;
};

const list = (names: readonly string[]): Markup =>
  html`<ul>${names.map((name) => resourceItem(name))}</ul>`;

/**
 * The page a valid link opens on GET: what it keeps running, until when, and the button
 * that does it (a form that posts the token back). Showing it changes nothing.
 *
 * @example
 * confirmPage(claim, token, new Date());
 */
export const confirmPage = (claim: SnoozeClaim, token: string, now: Date): UrlResponse =>
  page(
    200,
    'Keep running?',
    html`<p>Keep these resources of schedule <code>${claim.schedule}</code> running until <strong>${utcTime(claim.until)}</strong> (${inWords(now, claim.until)}):</p>${list(claim.resources)}<form method="post"><input type="hidden" name="t" value="${token}"><button type="submit">Keep running until ${utcTime(claim.until)}</button></form><p class="muted">Only resources still on schedule <code>${claim.schedule}</code> are kept running; nothing is started or stopped. This link works until ${utcTime(claim.expires)} and only once.</p>`,
  );

/**
 * The page after the button: what was kept running until when, what was left alone, and
 * what could not be kept (then with status 500).
 *
 * @example
 * resultPage(claim, { kept: ['instance:i-0abc'], leftAlone: [], failed: [] }, new Date());
 */
export const resultPage = (claim: SnoozeClaim, outcome: SnoozeResult, now: Date): UrlResponse => {
  const failed = outcome.failed.length > 0;
  const kept =
    outcome.kept.length > 0
      ? html`<p>Kept running until <strong>${utcTime(claim.until)}</strong> (${inWords(now, claim.until)}):</p>${list(outcome.kept)}`
      : html`<p>Nothing was kept running.</p>`;
  const leftAlone =
    outcome.leftAlone.length > 0
      ? html`<p>Left alone:</p><ul>${outcome.leftAlone.map(({ name, reason }) => resourceItem(name, reason))}</ul>`
      : html``;
  const notKept = failed
    ? html`<p><strong>Could not be kept running</strong> (the error is logged; open the link again in a minute to try once more, or they stop as planned):</p>${list(outcome.failed.map(({ name }) => name))}`
    : html``;
  return page(
    failed ? 500 : 200,
    failed ? 'Partly done' : 'Done',
    html`${kept}${notKept}${leftAlone}<p class="muted">Schedule <code>${claim.schedule}</code>. Nightshift resumes its schedule after ${utcTime(claim.until)}.</p>`,
  );
};

/**
 * A page that says what went wrong, in plain words, with its status.
 *
 * @example
 * errorPage(410, 'Link expired', 'This link worked until the stop it announced.');
 */
export const errorPage = (statusCode: number, title: string, message: string): UrlResponse =>
  page(statusCode, title, html`<p>${message}</p><p class="muted">Nothing was changed.</p>`);

/**
 * The page when the function or AWS failed: a 500 that says the error is logged. What
 * the link did before the failure is in the log, so the page does not claim nothing changed.
 *
 * @example
 * failurePage(); // { statusCode: 500, ... }
 */
export const failurePage = (): UrlResponse =>
  page(
    500,
    'Something went wrong',
    html`<p>The link could not be handled; the error is logged. If the resources still stop as planned, ask in the channel.</p>`,
  );
