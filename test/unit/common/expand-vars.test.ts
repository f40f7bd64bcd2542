import { expect } from 'chai';
import { expandVars, envLookup } from '../../../src/common/expand-vars.js';

describe('expandVars', () => {
  const lookup = envLookup([
    { name: 'A', value: 'alpha' },
    { name: 'B', value: 'beta' },
    { name: 'A', value: 'again' },
  ]);
  const cases: Array<[string, string, string]> = [
    ['plain text is unchanged', 'hello', 'hello'],
    ['a defined reference expands', '$(B)', 'beta'],
    ['a later definition wins', 'x$(A)y', 'xagainy'],
    ['an undefined reference stays as written', '$(NOPE)', '$(NOPE)'],
    ['$$ escapes a dollar', '$$(B)', '$(B)'],
    ['a lone dollar stays', 'cost $5', 'cost $5'],
    ['a trailing dollar stays', 'end$', 'end$'],
    ['an unclosed reference stays', 'x$(B', 'x$(B'],
    ['a reference spans to the first closing paren', '$(B $(A)', '$(B $(A)'],
    ['an empty name stays', '$()', '$()'],
    ['several references', '$(A)-$(B)-$(A)', 'again-beta-again'],
  ];
  for (const [title, input, want] of cases) {
    it(title, () => {
      expect(expandVars(input, lookup)).to.equal(want);
    });
  }
});
