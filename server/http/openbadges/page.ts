import { createHash } from 'node:crypto';
import { badgeSvg, tierOf, type Verification } from '../../openbadges/index.js';
import type { AwardView, Urls } from './issuing.js';

/**
 * The public page of one award, for people (Credly's badge pages are the model): the badge, what it
 * takes, who issued it, to whom and when, whether it is valid (as checked against the signed
 * credential, each check named), the files to take elsewhere, and "Add to LinkedIn" with the
 * certification's fields filled in. Plain HTML and one stylesheet in the page: no script, light and
 * dark as the reader's system says, one column on a phone.
 */

export interface PageInput {
  view: AwardView;
  urls: Urls;
  issuer: { name: string; url: string; image?: string };
  achievement: { name: string; description: string; narrative: string; image?: string; tags?: string[] };
  /** Null when this server cannot sign (production without ISSUER_KEY_SECRET): the reason instead. */
  verification: Verification | null;
  unsigned?: string;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1f2328;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#b42318;--bad-bg:#ffebe9;--link:#0a58ca;--button:#0a66c2;--button-text:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9da7b3;--line:#30363d;--ok:#3fb950;--ok-bg:#12261e;--bad:#ff7b72;--bad-bg:#2d1517;--link:#58a6ff;--button:#378fe9;--button-text:#0d1117}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:960px;margin:0 auto;padding:32px 20px 48px}
a{color:var(--link)}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:28px}
.top{display:grid;grid-template-columns:220px 1fr;gap:32px;align-items:start}
.art img,.art svg{width:220px;height:220px;display:block}
h1{font-size:1.9rem;line-height:1.2;margin:0 0 6px}
.issuer{margin:0 0 16px;color:var(--muted)}
.status{display:inline-flex;align-items:center;gap:8px;font-weight:600;border-radius:999px;padding:4px 14px;margin:0 0 16px}
.status.ok{color:var(--ok);background:var(--ok-bg)}
.status.bad{color:var(--bad);background:var(--bad-bg)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0 0 20px}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.actions{display:flex;flex-wrap:wrap;gap:10px}
.button{display:inline-block;border-radius:999px;padding:8px 18px;font-weight:600;text-decoration:none;border:1px solid var(--button)}
.button.primary{background:var(--button);color:var(--button-text)}
.button.secondary{color:var(--button)}
section{margin-top:28px}
h2{font-size:1.15rem;margin:0 0 10px}
.narrative{white-space:pre-line;margin:0}
ul.checks{list-style:none;padding:0;margin:0}
ul.checks li{padding:6px 0;border-top:1px solid var(--line)}
ul.checks li:first-child{border-top:0}
.mark{display:inline-block;width:1.4em;font-weight:700}
.mark.ok{color:var(--ok)}.mark.bad{color:var(--bad)}
ul.tags{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:0}
ul.tags li{border:1px solid var(--line);border-radius:999px;padding:2px 12px;color:var(--muted)}
ul.files{padding-left:1.2em;margin:0}
footer{margin-top:24px;color:var(--muted);font-size:.9rem}
@media (max-width:640px){main{padding:16px 12px 32px}.card{padding:20px}.top{grid-template-columns:1fr;gap:16px;justify-items:center;text-align:center}.art img,.art svg{width:160px;height:160px}dl.facts{text-align:left}.actions{justify-content:center}h1{font-size:1.5rem}}
`.trim();

/** The Content-Security-Policy of the page: nothing runs, the one stylesheet by its hash, images from anywhere. */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src https: http: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const day = (iso: string) => new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(iso));

/** LinkedIn's "Add to profile" link for a certification, its fields filled in. */
export function linkedInUrl(input: { name: string; organization: string; issued: string; url: string; id: string }): string {
  const issued = new Date(input.issued);
  const query = new URLSearchParams({
    startTask: 'CERTIFICATION_NAME',
    name: input.name,
    organizationName: input.organization,
    issueYear: String(issued.getUTCFullYear()),
    issueMonth: String(issued.getUTCMonth() + 1),
    certUrl: input.url,
    certId: input.id,
  });
  return `https://www.linkedin.com/profile/add?${query}`;
}

export function awardPage({ view, urls, issuer, achievement, verification, unsigned }: PageInput): string {
  const revoked = view.award.revoked;
  const valid = !revoked && verification?.verified === true;
  const statusText = revoked ? `Revoked on ${day(revoked.at)}` : verification === null ? 'Issued (not signed)' : valid ? 'Valid' : 'Could not be verified';
  const art = achievement.image
    ? `<img src="${escapeHtml(achievement.image)}" alt="" width="220" height="220">`
    : badgeSvg(tierOf((view.badge.fields as { type?: unknown }).type), achievement.name).replace('<svg ', '<svg aria-hidden="true" ');
  const checks = verification
    ? `<ul class="checks">${verification.checks.map((check) => `<li><span class="mark ${check.ok ? 'ok' : 'bad'}" aria-hidden="true">${check.ok ? '✓' : '✗'}</span>${escapeHtml(checkTitle(check.name))}: ${escapeHtml(check.detail)}</li>`).join('')}</ul>`
    : `<p>${escapeHtml(unsigned ?? 'This server does not sign credentials.')}</p>`;
  const linkedIn = linkedInUrl({ name: achievement.name, organization: issuer.name, issued: view.award.at, url: urls.page(view.id), id: view.id });
  const tags = achievement.tags?.length ? `<section><h2>Skills</h2><ul class="tags">${achievement.tags.map((tag) => `<li>${escapeHtml(tag)}</li>`).join('')}</ul></section>` : '';
  const files = [
    ...(verification ? [[urls.credential(view.id), 'Open Badges 3.0 credential (JSON-LD, signed)'], [urls.jwt(view.id), 'Open Badges 3.0 credential (VC-JWT)']] : []),
    // A revoked award's hosted assertion and baked images answer 410: not offered.
    ...(revoked
      ? []
      : [
          [urls.assertion(view.id), 'Open Badges 2.0 assertion'],
          [urls.baked(view.id, 'png'), 'Baked badge image (PNG)'],
          [urls.baked(view.id, 'svg'), 'Baked badge image (SVG)'],
        ]),
  ];
  const title = `${achievement.name}, awarded to ${view.user}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(`${achievement.name}, issued by ${issuer.name} to ${view.user} on ${day(view.award.at)}`)}">
<meta property="og:title" content="${escapeHtml(title)}">
<meta property="og:description" content="${escapeHtml(achievement.description)}">
${achievement.image ? `<meta property="og:image" content="${escapeHtml(achievement.image)}">` : ''}
<link rel="alternate" type="application/ld+json" href="${escapeHtml(urls.credential(view.id))}">
<style>${STYLE}</style>
</head>
<body>
<main>
<article class="card">
<div class="top">
<div class="art">${art}</div>
<div>
<h1>${escapeHtml(achievement.name)}</h1>
<p class="issuer">Issued by <a href="${escapeHtml(issuer.url)}">${escapeHtml(issuer.name)}</a></p>
<p class="status ${valid || (verification === null && !revoked) ? 'ok' : 'bad'}" role="status">${valid ? '✓ ' : revoked ? '✗ ' : ''}${escapeHtml(statusText)}</p>
<dl class="facts">
<dt>Awarded to</dt><dd>${escapeHtml(view.user)}</dd>
<dt>Issued on</dt><dd><time datetime="${escapeHtml(view.award.at)}">${escapeHtml(day(view.award.at))}</time></dd>
${revoked?.reason ? `<dt>Reason</dt><dd>${escapeHtml(revoked.reason)}</dd>` : ''}
<dt>Award</dt><dd>${escapeHtml(view.id)}</dd>
</dl>
<div class="actions">
${revoked ? '' : `<a class="button primary" href="${escapeHtml(linkedIn)}" rel="noopener">Add to LinkedIn</a>`}
${verification ? `<a class="button secondary" href="${escapeHtml(urls.credential(view.id))}" download="${escapeHtml(view.id)}.json">Download credential</a>` : ''}
</div>
</div>
</div>
<section><h2>About this badge</h2><p class="narrative">${escapeHtml(achievement.description)}</p></section>
<section><h2>What it takes</h2><p class="narrative">${escapeHtml(achievement.narrative)}</p></section>
${tags}
<section><h2>Verification</h2>${checks}</section>
<section><h2>Take it elsewhere</h2><ul class="files">${files.map(([href, text]) => `<li><a href="${escapeHtml(href!)}">${escapeHtml(text!)}</a></li>`).join('')}</ul></section>
</article>
<footer>Checked by this server against the signed credential, with the keys and status list its issuer publishes; any Open Badges 3.0 verifier can check the same files.</footer>
</main>
</body>
</html>`;
}

function checkTitle(name: string): string {
  return name === 'signature' ? 'Signature' : name === 'status' ? 'Revocation' : 'Validity';
}
