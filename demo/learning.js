// The learning program demo: a render hook that draws each badge as a step of a checklist, from the
// state and progress the element gives hooks. (A file, not inline script: the page runs under a
// strict Content-Security-Policy.) Lit's `html` comes with the classic script as UserBadges.html.
/* global UserBadges */
const { html } = UserBadges;
const mark = { earned: '✓', in_progress: '…', unearned: '○' };
const label = { earned: 'earned', in_progress: 'in progress', unearned: 'not earned yet' };

document.getElementById('checklist').renderBadge = (b) =>
  html`<span part="step step-${b.state}"
    ><span aria-hidden="true">${mark[b.state]}</span> ${b.title ?? b.name}<span class="vh">, ${label[b.state]}</span>${
      b.progress && b.state == 'in_progress' ? ` (${b.progress.current} of ${b.progress.goal})` : ''
    }</span
  >`;
