/** Address ownership lives in the one lab index (src/net/lab-index.ts); these names stay for topology's callers. */
export { nodeAddresses, owns, ownerOf } from '../net/lab-index.js';
