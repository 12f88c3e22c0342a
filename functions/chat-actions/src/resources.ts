/** The kinds of resource a schedule can name, as a link writes them before the id. */
export const KINDS = ['instance', 'group', 'db-instance', 'db-cluster'] as const;
export type ResourceKind = (typeof KINDS)[number];

/** A resource a link names: its kind and its id (instance id, group name, DB identifier). */
export interface ResourceRef {
  kind: ResourceKind;
  id: string;
}

/** What people read for each kind. */
export const KIND_NAMES: Record<ResourceKind, string> = {
  instance: 'EC2 instance',
  group: 'Auto Scaling group',
  'db-instance': 'DB instance',
  'db-cluster': 'DB cluster',
};

/**
 * The kind and id of a link's resource (`instance:i-0abc`), or `undefined` when it does not
 * start with a known kind or has no id.
 *
 * @example
 * parseResource('group:web'); // { kind: 'group', id: 'web' }
 * parseResource('bucket:logs'); // undefined
 */
export const parseResource = (text: string): ResourceRef | undefined => {
  const at = text.indexOf(':');
  const kind = text.slice(0, at);
  const id = text.slice(at + 1);
  if (at < 0 || id.length === 0 || !(KINDS as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as ResourceKind, id };
};

/** `instance:i-0abc` again. */
export const resourceName = ({ kind, id }: ResourceRef): string => `${kind}:${id}`;
