/**
 * Custom-elements manifest for editors and docs: `cem analyze` reads the JSDoc of widget/*.ts
 * (`@attr`, `@csspart`, `@cssproperty`, `@slot`, `@fires`) and writes dist/custom-elements.json.
 */
export default {
  globs: ['widget/**/*.ts'],
  exclude: ['widget/**/*.d.ts'],
  outdir: 'dist',
  dev: false,
  // Leave package.json alone (the analyzer would add a "customElements" field).
  packagejson: false,
};
