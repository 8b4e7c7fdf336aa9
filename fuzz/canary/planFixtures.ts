/** Hand-written plan pieces for the canary tests' fixed cases (the generator makes the random ones). */
import type { Markings } from '../../shared/model/markings.ts';
import type { NodePlan } from './plan.ts';
import { OWN, PARTNER_ONE, PARTNER_TWO } from './plan.ts';

/** Releasable to both partners, TLP:GREEN: what a partner may see unless a test narrows it. */
export const OPEN_TO_PARTNERS: Markings = {
  classification: 'UNCLASSIFIED',
  tlp: 'GREEN',
  releasableTo: [PARTNER_ONE, PARTNER_TWO],
  referToOriginator: false,
};

/** An own, live Person open to both partners, with nothing about it; `overrides` say what differs. */
export function nodePlan(overrides: Partial<NodePlan> = {}): NodePlan {
  return {
    schema: 'Person',
    origin: OWN,
    markings: OPEN_TO_PARTNERS,
    deleted: false,
    propertyMarkings: {},
    holder: null,
    mentions: [],
    quotes: [],
    ...overrides,
  };
}
