import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeEmail } from '../../server/core/email.js';

test('addresses are normalised so that spellings of one address meet', () => {
  assert.equal(normalizeEmail('  Ann.Smith+badges@Example.ORG '), 'ann.smith+badges@example.org');
  assert.equal(normalizeEmail('jose\u0301@example.org'), 'jos\u00e9@example.org');
  assert.equal(normalizeEmail('a@b.co'), 'a@b.co');
});

test('what is not an address is refused', () => {
  for (const bad of ['', 'ann', 'ann@', '@x.org', 'ann@localhost', 'a b@x.org', 'ann@x..org', 'ann@-x.org', 'a@b@x.org', `${'a'.repeat(65)}@x.org`, `a@${'b'.repeat(250)}.org`, 42, null]) {
    assert.equal(normalizeEmail(bad), undefined, String(bad));
  }
});
