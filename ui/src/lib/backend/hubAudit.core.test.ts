// The hub's audit commands through http.ts against the real core: a desk that never
// joined a hub answers hub_not_joined to all three (the Audit page then shows no switch).
// Against a real hub they are tested in crates/core/tests/hub_audit.rs and
// hub_audit_export.rs.
import { beforeAll, describe, expect, it } from 'vitest';

import { freshCore, page, rejection } from '../../test/core';
import { notJoined } from '../hub';
import { hubQuery } from '../hubAudit';
import type { Backend } from './backend';

let b: Backend;
beforeAll(async () => {
  b = await freshCore();
});

describe('the audit trail at the hub', () => {
  it('answers hub_not_joined at a desk that never joined', async () => {
    const q = hubQuery(
      { actor: null, action: null, subject: null, exactSubject: false, since: null, until: null, page: page(1, 20) },
      'S1',
      '',
    );
    const listed = await rejection(b.hubAuditList(q));
    expect(listed).toMatchObject({ code: 'hub_not_joined' });
    expect(notJoined(listed.code)).toBe(true);
    expect(await rejection(b.hubAuditVerify())).toMatchObject({ code: 'hub_not_joined' });
    expect(await rejection(b.hubAuditExport(q, '/tmp/never-written-hub-audit.csv', null))).toMatchObject({
      code: 'hub_not_joined',
    });
  });
});
