// The forum's own script (a file: the pages run under a strict Content-Security-Policy). It names
// the badge groups, whose tags are ids, in the page's languages; the widget's texts are its own.
window.UserBadges?.messages?.('en', {
  '#getting-started': 'Getting started',
  '#community': 'Community',
  '#posting': 'Posting',
  '#dedication': 'Dedication',
  '#trust': 'Trust',
});
window.UserBadges?.messages?.('ar', {
  '#getting-started': 'البدايات',
  '#community': 'المجتمع',
  '#posting': 'النشر',
  '#dedication': 'المثابرة',
  '#trust': 'الثقة',
});
