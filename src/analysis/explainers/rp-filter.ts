/**
 * rp-filter: the reverse-path filter counter (TcpExt.IPReversePathFilter) moved on the node, and
 * its route back to the packet's source leaves by another interface than the one it came in on.
 */
import { describeRoute, kernelMove, lookupRoute, routeDevs, routesOf, rpFilterOf } from '../node-state.js';
import { moved, type DropExplainer } from './explainer.js';

export const rpFilter: DropExplainer = {
  reason: 'rp-filter',
  words: 'the reverse-path filter',
  explain({ ctx, site, note }) {
    const { node, iface, entered, packet } = site;
    const routes = routesOf(ctx.evidence, node);
    const rp = kernelMove(ctx.evidence, node, 'TcpExt.IPReversePathFilter');
    if (!rp || !entered || !iface || !routes) return undefined;
    const back = lookupRoute(routes.routes, entered.src);
    const devs = back ? routeDevs(back) : [];
    if (!back || !devs.length || devs.includes(iface)) {
      note(`${moved(rp)} on ${node}, but the route back to ${entered.src} ${back ? `leaves by ${devs.join('/') || 'no device'}, the interface it came in on` : 'was not found'}.`);
      return undefined;
    }
    const rpf = rpFilterOf(routes, iface);
    return {
      reason: 'rp-filter',
      kernelCounter: rp,
      facts: [
        `${moved(rp)} on ${node}.`,
        `${node}'s route back to ${entered.src} is "${describeRoute(back)}", out of ${devs.join('/')}, but the ${packet} came in on ${iface}.`,
        rpf === undefined ? `rp_filter on ${node}:${iface} was not recorded.` : `rp_filter for ${iface} on ${node} is ${rpf} (${rpf === 1 ? 'strict' : rpf === 2 ? 'loose' : 'off'}).`,
      ],
    };
  },
  phrase: (drop, site) => {
    const kc = drop.kernelCounter ? ` (${drop.kernelCounter.name} ${drop.kernelCounter.before}→${drop.kernelCounter.after})` : '';
    return `reverse-path filter: ${drop.node}'s route back to ${site.entered?.src ?? 'the source'} does not leave by ${drop.iface}${kc}`;
  },
};
