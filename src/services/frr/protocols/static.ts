import type { LabPlan } from '../../../plan/plan.js';
import type { ExpectedRoute } from './protocol.js';

/** The lab's own static routes on FRR nodes (staticd installs them some time after its config loads). Pure. */
export function staticExpectations(plan: LabPlan): ExpectedRoute[] {
  return plan.nodes
    .filter((n) => n.frr && !n.node.frrConfig)
    .flatMap((n) => n.node.routes.map((r) => ({ node: n.node.name, prefix: r.to === '0.0.0.0/0' || r.to === '::/0' ? 'default' : r.to, from: `${n.node.name} (static)` })));
}
