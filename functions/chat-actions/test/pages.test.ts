import { describe, expect, it } from 'vitest';
import {
  confirmPage,
  errorPage,
  escapeHtml,
  failurePage,
  inWords,
  PAGE_HEADERS,
  resultPage,
} from '../src/pages.ts';
import { aClaim, NOW } from './fixtures.ts';

const SCRIPT = '<script>alert("x")</script>';
const ATTRIBUTE = '" onmouseover="alert(1)';

/** Whether `body` holds anything a browser would run or that breaks out of an attribute. */
const unsafe = (body: string) =>
  /<script|onmouseover="|<img/i.test(body) || body.includes(SCRIPT) || body.includes(ATTRIBUTE);

describe('escapeHtml', () => {
  it('writes the five characters that mean something in HTML as entities', () => {
    // Act & Assess
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    );
  });

  it('leaves other text as it is and escapes an ampersand once', () => {
    // Act & Assess
    expect(escapeHtml('i-0abc web/01 é')).toBe('i-0abc web/01 é');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });
});

describe('inWords', () => {
  it('says how long from now, to the minute', () => {
    // Act & Assess
    expect(inWords(NOW, '2026-03-02T19:00:00.000Z')).toBe('in 1 hour 30 minutes');
    expect(inWords(NOW, '2026-03-02T20:30:00.000Z')).toBe('in 3 hours');
    expect(inWords(NOW, '2026-03-02T17:31:00.000Z')).toBe('in 1 minute');
    expect(inWords(NOW, '2026-03-02T17:30:00.000Z')).toBe('now');
  });
});

describe('pages', () => {
  it('are sent with the headers that keep them out of caches, frames and scripts', () => {
    // Act
    const pages = [
      confirmPage(aClaim(), 'abc.def', NOW),
      resultPage(aClaim(), { kept: [], leftAlone: [], failed: [] }, NOW),
      errorPage(400, 'Not a valid link', 'x'),
      failurePage(),
    ];

    // Assess
    for (const response of pages) {
      expect(response.headers).toEqual({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      });
      expect(response.body).not.toMatch(/<script/i);
    }
    expect(PAGE_HEADERS['cache-control']).toBe('no-store');
  });

  it('confirm page: says what is kept running until when, and posts the token back', () => {
    // Act
    const { statusCode, body } = confirmPage(aClaim(), 'abc.def', NOW);

    // Assess
    expect(statusCode).toBe(200);
    expect(body).toContain('<form method="post"><input type="hidden" name="t" value="abc.def">');
    expect(body).toContain('2026-03-02 19:00 UTC');
    expect(body).toContain('in 1 hour 30 minutes');
    expect(body).toContain('EC2 instance <code>i-0aaaaaaaaaaaaaaaa</code>');
    expect(body).toContain('<code>office-hours</code>');
  });

  it('confirm page: escapes the schedule name, each resource id and the token', () => {
    // Prepare: a signed schedule name cannot hold < or &; the page escapes it all the same.
    const claim = {
      ...aClaim({ resources: [`instance:${SCRIPT}`, `group:${ATTRIBUTE}`, `bucket:${SCRIPT}x`] }),
      schedule: `a&b${SCRIPT}`,
    };

    // Act
    const { body } = confirmPage(claim, `${ATTRIBUTE}${SCRIPT}`, NOW);

    // Assess
    expect(unsafe(body)).toBe(false);
    expect(body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(body).toContain('value="&quot; onmouseover=&quot;alert(1)&lt;script&gt;');
    expect(body).toContain('<code>a&amp;b&lt;script&gt;');
  });

  it('result page: escapes what was kept, left alone (with its reason) and failed', () => {
    // Prepare
    const claim = { ...aClaim(), schedule: SCRIPT };

    // Act
    const { statusCode, body } = resultPage(
      claim,
      {
        kept: [`instance:${SCRIPT}`],
        leftAlone: [{ name: `group:${ATTRIBUTE}`, reason: `not on schedule ${SCRIPT}` }],
        failed: [{ name: `db-instance:${SCRIPT}`, error: new Error('x') }],
      },
      NOW,
    );

    // Assess
    expect(statusCode).toBe(500);
    expect(unsafe(body)).toBe(false);
    expect(body).toContain(
      'Auto Scaling group <code>&quot; onmouseover=&quot;alert(1)</code>: not on schedule &lt;script&gt;',
    );
    expect(body).toContain('DB instance <code>&lt;script&gt;');
  });

  it('result page: 200 with what was kept and until when when nothing failed', () => {
    // Act
    const { statusCode, body } = resultPage(
      aClaim(),
      { kept: ['instance:i-0aaaaaaaaaaaaaaaa'], leftAlone: [], failed: [] },
      NOW,
    );

    // Assess
    expect(statusCode).toBe(200);
    expect(body).toContain('Kept running until <strong>2026-03-02 19:00 UTC</strong>');
    expect(body).toContain('<ul><li>EC2 instance <code>i-0aaaaaaaaaaaaaaaa</code></li></ul>');
    expect(body).not.toContain('Left alone');
  });

  it('error page: escapes its title and message and says nothing changed', () => {
    // Act
    const { statusCode, body } = errorPage(410, SCRIPT, ATTRIBUTE);

    // Assess
    expect(statusCode).toBe(410);
    expect(unsafe(body)).toBe(false);
    expect(body).toContain('<title>&lt;script&gt;');
    expect(body).toContain('Nothing was changed.');
  });
});
