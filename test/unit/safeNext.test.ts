import { expect } from 'chai';
import { safeNext } from '../../src/pages/scripts/lib/auth.ts';

const ORIGIN = 'http://127.0.0.1:8000';
const next = (value: string | null) => safeNext(value, '/dashboard', ORIGIN);

describe('safeNext (the ?next= of the sign-in page)', () => {
  it('keeps paths on this site, with their query and fragment', () => {
    expect(next('/dashboard')).to.equal('/dashboard');
    expect(next('/room?session=12#chat')).to.equal('/room?session=12#chat');
    expect(next('/embed-example')).to.equal('/embed-example');
    expect(next('/a/../dashboard')).to.equal('/dashboard');
  });

  const refused: Array<[string, string]> = [
    ['a tab after the slash (the browser drops it: //host)', '/\t/127.0.0.1:8599/x'],
    ['a newline after the slash', '/\n/evil.example/x'],
    ['a carriage return after the slash', '/\r/evil.example'],
    ['a protocol-relative URL', '//evil.example'],
    ['a protocol-relative URL with a path', '//evil.example/dashboard'],
    ['a backslash after the slash', '/\\evil.example'],
    ['backslashes only', '\\\\evil.example'],
    ['a slash then a backslash then a slash', '/\\/evil.example'],
    ['an absolute URL elsewhere', 'https://evil.example/'],
    ['an absolute URL on this origin (not a path)', `${ORIGIN}/dashboard`],
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: in capitals with spaces', ' JAVASCRIPT:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['a relative path', 'dashboard'],
    ['an empty value', ''],
  ];
  for (const [what, value] of refused) {
    it(`falls back for ${what}`, () => {
      expect(next(value)).to.equal('/dashboard');
    });
  }

  it('falls back when there is no ?next=', () => {
    expect(next(null)).to.equal('/dashboard');
  });
});
