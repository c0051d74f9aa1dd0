import type { CodeStatus } from './backend/bindings/CodeStatus';

/** In lifecycle order, for filters and legends (domain/lifecycle.rs). */
export const CODE_STATUSES: readonly CodeStatus[] = ['issued', 'active', 'redeemed', 'disabled', 'expired'];
