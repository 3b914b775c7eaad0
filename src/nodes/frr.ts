/** FRR as a service lives in src/services/frr/; these are its entry points under their old address. */
export { FRR_CATALOGUE, FRR_DAEMON_NAMES, type FrrDaemon } from '../services/frr/catalogue.js';
export { daemonsFromConfig, daemonsFromDaemonsFile } from '../services/frr/daemons.js';
export { daemonsFor, frrConfigOf, startFrr } from '../services/frr/start.js';
export { checkFrrConfig, vtyshErrors, vtyshRun } from '../services/frr/vtysh.js';
export { bgpPeers, type BgpPeerStatus } from '../services/frr/protocols/bgp.js';
export { FRR_DAEMON_NAMES as FRR_DAEMONS } from '../services/frr/catalogue.js';
