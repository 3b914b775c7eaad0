/** Lab, node and interface names end up in commands and resource names: these are the only shapes allowed. */
export const NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
export const IFACE_RE = /^[a-zA-Z][a-zA-Z0-9_.-]{0,14}$/;
export const NAME_HINT = 'use lowercase letters, digits and inner hyphens, at most 24 characters';
export const IFACE_HINT = 'use a letter, then letters, digits, _ . or -, at most 15 characters in all';
