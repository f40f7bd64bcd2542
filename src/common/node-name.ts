const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A valid Node name: a lower-case DNS-1123 subdomain of at most 253
 * characters, as the API server requires. Both halves check names with it:
 * the runner the name it asks for, the kubelet the name it is asked for.
 */
export function isNodeName(value: string): boolean {
  return (
    value.length > 0 && value.length <= 253 && value.split('.').every((part) => DNS1123_LABEL.test(part))
  );
}
