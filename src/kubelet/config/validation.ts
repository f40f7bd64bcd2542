const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A DNS-1123 subdomain, as Kubernetes requires for node names and label prefixes. */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length > 0 && value.length <= 253 && value.split('.').every((part) => DNS1123_LABEL.test(part))
  );
}

/** A label key or taint key: `[prefix/]name`. */
export function isQualifiedName(value: string): boolean {
  const slash = value.lastIndexOf('/');
  const name = slash === -1 ? value : value.slice(slash + 1);
  if (slash !== -1 && !isDnsSubdomain(value.slice(0, slash))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** A label value (empty is valid). */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value));
}
