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
  issuer: { name: string; url: string; image?: string; description?: string };
  achievement: { name: string; description: string; narrative: string; image?: string; tags?: string[] };
  /** Null when this server cannot sign (production without ISSUER_KEY_SECRET): the reason instead. */
  verification: Verification | null;
  unsigned?: string;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1f2328;--muted:#57606a;--line:#d0d7de;--soft:#f0f2f5;--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#b42318;--bad-bg:#ffebe9;--link:#0a58ca;--button:#0a66c2;--button-text:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#161b22;--text:#e6edf3;--muted:#9da7b3;--line:#30363d;--soft:#1c2129;--ok:#3fb950;--ok-bg:#12261e;--bad:#ff7b72;--bad-bg:#2d1517;--link:#58a6ff;--button:#378fe9;--button-text:#0d1117}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:960px;margin:0 auto;padding:32px 20px 48px}
a{color:var(--link)}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:32px}
.top{display:grid;grid-template-columns:220px 1fr;gap:40px;align-items:center}
.art img,.art svg{width:220px;height:220px;display:block}
.revoked .art{filter:grayscale(1);opacity:.45}
h1{font-size:2rem;line-height:1.2;margin:0 0 6px}
.issuer{margin:0 0 14px;color:var(--muted)}
.status{display:inline-block;white-space:nowrap;font-weight:600;border-radius:999px;padding:3px 14px;margin:0 0 14px}
.status.ok{color:var(--ok);background:var(--ok-bg)}
.status.bad{color:var(--bad);background:var(--bad-bg)}
.to{margin:0 0 20px;font-size:1.05rem}
.notice{border-left:4px solid var(--bad);background:var(--bad-bg);border-radius:6px;padding:10px 14px;margin:0 0 20px}
.actions{display:flex;flex-wrap:wrap;gap:10px}
.button{display:inline-block;border-radius:999px;padding:9px 20px;font-weight:600;text-decoration:none;border:1px solid var(--button);text-align:center}
.button.primary{background:var(--button);color:var(--button-text)}
.button.secondary{color:var(--button)}
section{margin-top:32px;padding-top:24px;border-top:1px solid var(--line)}
h2{font-size:1.15rem;margin:0 0 12px}
p{margin:0 0 10px}
ul.criteria{list-style:none;padding:0;margin:12px 0 0;display:grid;gap:8px}
ul.criteria li{display:flex;gap:10px;align-items:baseline}
.req{flex:none;font-size:.75rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em;border-radius:4px;padding:1px 6px;background:var(--soft);color:var(--muted)}
ul.checks{list-style:none;padding:0;margin:0}
ul.checks li{display:flex;gap:10px;padding:8px 0;border-top:1px solid var(--line)}
ul.checks li:first-child{border-top:0;padding-top:0}
.mark{flex:none;font-weight:700}
.mark.ok{color:var(--ok)}.mark.bad{color:var(--bad)}
.id{margin:12px 0 0;color:var(--muted);font-size:.875rem}
code{font:.875rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
ul.tags{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:0}
ul.tags li{border:1px solid var(--line);border-radius:999px;padding:2px 12px;color:var(--muted)}
ul.evidence{padding-left:1.2em;margin:0}
ul.files{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:10px}
ul.files a{display:block;height:100%;border:1px solid var(--line);border-radius:8px;padding:10px 14px;text-decoration:none;color:var(--text)}
ul.files a:hover{border-color:var(--link)}
ul.files b{display:block;color:var(--link)}
ul.files span{color:var(--muted);font-size:.875rem}
.by{display:flex;gap:16px;align-items:flex-start}
.by img{width:56px;height:56px;border-radius:8px;object-fit:contain;flex:none}
footer{margin-top:24px;color:var(--muted);font-size:.875rem}
@media (max-width:640px){main{padding:12px 10px 32px}.card{padding:20px 16px}.top{grid-template-columns:1fr;gap:16px;justify-items:center;text-align:center}.art img,.art svg{width:150px;height:150px}h1{font-size:1.5rem}.actions{flex-direction:column;align-items:stretch}.notice{text-align:left}section{margin-top:24px;padding-top:20px}}
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

/** A badge's criteria as the page lists them: the narrative, then each item, required or not. */
function criteriaOf(fields: Record<string, unknown>, fallback: string): { narrative: string; items: { description: string; required: boolean }[] } {
  const criteria = fields.criteria as { narrative?: unknown; items?: unknown } | undefined;
  const items = Array.isArray(criteria?.items)
    ? criteria.items.filter((item): item is { description: string; required?: boolean } => typeof item?.description === 'string').map((item) => ({ description: item.description, required: item.required !== false }))
    : [];
  const narrative = typeof criteria?.narrative === 'string' ? criteria.narrative : items.length ? '' : fallback;
  return { narrative, items };
}

export function awardPage({ view, urls, issuer, achievement, verification, unsigned }: PageInput): string {
  const revoked = view.award.revoked;
  const valid = !revoked && verification?.verified === true;
  const statusText = revoked ? '✗ Revoked' : verification === null ? 'Issued (not signed)' : valid ? '✓ Verified' : '✗ Could not be verified';
  const art = achievement.image
    ? `<img src="${escapeHtml(achievement.image)}" alt="" width="220" height="220">`
    : badgeSvg(tierOf((view.badge.fields as { type?: unknown }).type), achievement.name).replace('<svg ', '<svg aria-hidden="true" ');
  const checks = verification
    ? `<ul class="checks">${verification.checks.map((check) => `<li><span class="mark ${check.ok ? 'ok' : 'bad'}" aria-hidden="true">${check.ok ? '✓' : '✗'}</span><span><b>${escapeHtml(checkTitle(check.name))}</b>: ${escapeHtml(check.detail)}</span></li>`).join('')}</ul>`
    : `<p>${escapeHtml(unsigned ?? 'This server does not sign credentials.')}</p>`;
  const linkedIn = linkedInUrl({ name: achievement.name, organization: issuer.name, issued: view.award.at, url: urls.page(view.id), id: view.id });
  const criteria = criteriaOf(view.badge.fields as Record<string, unknown>, achievement.narrative);
  const criteriaHtml = `${criteria.narrative ? `<p>${escapeHtml(criteria.narrative)}</p>` : ''}${
    criteria.items.length ? `<ul class="criteria">${criteria.items.map((item) => `<li><span class="req">${item.required ? 'Required' : 'Optional'}</span><span>${escapeHtml(item.description)}</span></li>`).join('')}</ul>` : ''
  }`;
  const tags = achievement.tags?.length ? `<section><h2>Skills</h2><ul class="tags">${achievement.tags.map((tag) => `<li>${escapeHtml(tag)}</li>`).join('')}</ul></section>` : '';
  const evidence = (view.award.evidence ?? []).filter((item) => item.url || item.reflection);
  const evidenceHtml = evidence.length
    ? `<section><h2>Evidence</h2><ul class="evidence">${evidence.map((item) => `<li>${item.url ? `<a href="${escapeHtml(item.url)}" rel="nofollow noopener">${escapeHtml(item.reflection ?? item.url)}</a>` : escapeHtml(item.reflection!)}</li>`).join('')}</ul></section>`
    : '';
  const files: [string, string, string][] = [
    ...(verification
      ? ([
          [urls.credential(view.id), 'Signed credential', 'Open Badges 3.0, JSON-LD'],
          [urls.jwt(view.id), 'Credential as a JWT', 'Open Badges 3.0, VC-JWT (EdDSA)'],
        ] as [string, string, string][])
      : []),
    // A revoked award's hosted assertion and baked images answer 410: not offered.
    ...(revoked
      ? []
      : ([
          [urls.assertion(view.id), 'Hosted assertion', 'Open Badges 2.0, JSON-LD'],
          [urls.baked(view.id, 'png'), 'Baked image (PNG)', 'Open Badges 2.0 assertion inside'],
          [urls.baked(view.id, 'svg'), 'Baked image (SVG)', 'Open Badges 2.0 assertion inside'],
        ] as [string, string, string][])),
  ];
  const title = `${achievement.name}, awarded to ${view.user}`;
  const issuerLogo = issuer.image ? `<img src="${escapeHtml(issuer.image)}" alt="">` : '';
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
<article class="card${revoked ? ' revoked' : ''}">
<div class="top">
<div class="art">${art}</div>
<div>
<h1>${escapeHtml(achievement.name)}</h1>
<p class="issuer">Issued by <a href="${escapeHtml(issuer.url)}">${escapeHtml(issuer.name)}</a></p>
<p class="status ${valid || (verification === null && !revoked) ? 'ok' : 'bad'}" role="status">${escapeHtml(statusText)}</p>
<p class="to">Awarded to <b>${escapeHtml(view.user)}</b> on <time datetime="${escapeHtml(view.award.at)}">${escapeHtml(day(view.award.at))}</time></p>
${revoked ? `<p class="notice">Revoked on ${escapeHtml(day(revoked.at))}${revoked.reason ? `: ${escapeHtml(revoked.reason)}` : ''}</p>` : ''}
<div class="actions">
${revoked ? '' : `<a class="button primary" href="${escapeHtml(linkedIn)}" rel="noopener">Add to LinkedIn</a>`}
${verification ? `<a class="button secondary" href="${escapeHtml(urls.credential(view.id))}" download="${escapeHtml(view.id)}.json">Download credential</a>` : ''}
</div>
</div>
</div>
<section><h2>About this badge</h2><p>${escapeHtml(achievement.description)}</p></section>
<section><h2>Earning criteria</h2>${criteriaHtml}</section>
${tags}
${evidenceHtml}
<section><h2>Verification</h2>${checks}<p class="id">Award <code>${escapeHtml(view.id)}</code></p></section>
<section><h2>Take it elsewhere</h2><ul class="files">${files.map(([href, name, format]) => `<li><a href="${escapeHtml(href)}"><b>${escapeHtml(name)}</b><span>${escapeHtml(format)}</span></a></li>`).join('')}</ul></section>
<section><h2>Issued by</h2><div class="by">${issuerLogo}<div><p><a href="${escapeHtml(issuer.url)}">${escapeHtml(issuer.name)}</a></p>${issuer.description ? `<p>${escapeHtml(issuer.description)}</p>` : ''}</div></div></section>
</article>
<footer>Checked by this server against the signed credential, with the keys and status list its issuer publishes; any Open Badges 3.0 verifier can check the same files.</footer>
</main>
</body>
</html>`;
}

function checkTitle(name: string): string {
  return name === 'signature' ? 'Signature' : name === 'status' ? 'Revocation' : 'Validity';
}
