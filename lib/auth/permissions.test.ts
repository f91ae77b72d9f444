import { describe, expect, it } from "vitest";
import { ACTIONS, ROLES, can } from "./permissions";

// The role × action matrix, spelled out so a change to it is a visible change to this table.
const EXPECTED: Record<string, Record<string, boolean>> = {
  admin: {
    "overview:read": true,
    "tenants:read": true,
    "audit:read": true,
    "approvals:read": true,
    "tenant:switch": true,
    "tenant:move": true,
    "approval:decide": true,
    break_glass: true,
    "region:mark": true,
    "failover:run": true,
    "failover:settings": true,
    "routes:resolve": true,
    "session:self": true,
  },
  compliance: {
    "overview:read": true,
    "tenants:read": true,
    "audit:read": true,
    "approvals:read": false,
    "tenant:switch": false,
    "tenant:move": false,
    "approval:decide": false,
    break_glass: false,
    "region:mark": false,
    "failover:run": false,
    "failover:settings": false,
    "routes:resolve": false,
    "session:self": true,
  },
  overseer: {
    "overview:read": true,
    "tenants:read": true,
    "audit:read": false,
    "approvals:read": false,
    "tenant:switch": false,
    "tenant:move": false,
    "approval:decide": false,
    break_glass: false,
    "region:mark": false,
    "failover:run": false,
    "failover:settings": false,
    "routes:resolve": false,
    "session:self": true,
  },
};

describe("permission matrix", () => {
  for (const role of ROLES) {
    for (const action of ACTIONS) {
      it(`${role} ${EXPECTED[role][action] ? "may" : "may not"} ${action}`, () => {
        expect(can(role, action)).toBe(EXPECTED[role][action]);
      });
    }
  }

  it("denies an unknown role everything", () => {
    for (const action of ACTIONS) expect(can("intruder" as never, action)).toBe(false);
  });
});
