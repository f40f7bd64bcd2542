/**
 * Kubernetes `$(VAR)` expansion, as the kubelet applies it to env values,
 * command and args: `$(NAME)` is replaced when NAME is defined, `$$` escapes a
 * dollar, and an undefined reference is left as written.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        // An unclosed reference is kept literally and scanning goes on after it.
        out += '$(';
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      const value = name.length > 0 ? lookup(name) : undefined;
      out += value ?? input.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** A lookup over an ordered env list; a later definition wins, as in Kubernetes. */
export function envLookup(
  env: ReadonlyArray<{ name: string; value: string }>,
): (name: string) => string | undefined {
  const map = new Map<string, string>();
  for (const e of env) map.set(e.name, e.value);
  return (name) => map.get(name);
}
