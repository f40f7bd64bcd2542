/** What the kubelet reads from the answer to a write: the object's new resourceVersion. */
export interface WrittenVersion {
  metadata?: { resourceVersion?: string | undefined } | undefined;
}

const METADATA_KEY = '"metadata":{';
const RV_KEY = '"resourceVersion":"';

/**
 * The top-level metadata.resourceVersion of an API object's JSON text,
 * without parsing the rest: the answer to a status patch of a pod of 1,000
 * containers is hundreds of kilobytes that nobody reads. The API server
 * writes ObjectMeta's fields in a fixed order (name, generateName, namespace,
 * selfLink, uid, resourceVersion, ...), none of them an object, so the key
 * is taken only when nothing between "metadata":{ and it opens or closes an
 * object or array; otherwise (and for an empty or odd answer) the text is
 * parsed in full. Pure.
 */
export function writtenVersion(text: string): WrittenVersion {
  const metadataAt = text.indexOf(METADATA_KEY);
  if (metadataAt >= 0) {
    const from = metadataAt + METADATA_KEY.length;
    const rvAt = text.indexOf(RV_KEY, from);
    if (rvAt >= 0 && !/[{}[\]]/.test(text.slice(from, rvAt))) {
      const valueAt = rvAt + RV_KEY.length;
      const end = text.indexOf('"', valueAt);
      const value = end >= 0 ? text.slice(valueAt, end) : '';
      // resourceVersions are opaque but never escaped; anything else goes through the parser.
      if (end >= 0 && !value.includes('\\')) return { metadata: { resourceVersion: value } };
    }
  }
  if (text === '') return {};
  const parsed = JSON.parse(text) as { metadata?: { resourceVersion?: string } } | null;
  return { metadata: { resourceVersion: parsed?.metadata?.resourceVersion } };
}
