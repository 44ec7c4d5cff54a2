// Every demo page: code samples name this server, not a placeholder. (A file, not inline script:
// the pages run under a strict Content-Security-Policy.)
for (const code of document.querySelectorAll('code.snippet')) {
  code.textContent = code.textContent.replaceAll('https://YOUR-BADGE-SERVER', location.origin);
}
