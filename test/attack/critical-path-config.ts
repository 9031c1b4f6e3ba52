/**
 * A lead, two seniors and one critical path (`src/auth/**`), with labels, analysis and the
 * busy status off: the attacks on the risk level read only what they aim at.
 */
export const CRITICAL_PATH_CONFIG = `
reviewers:
  lead: [alice]
  seniors: [bob, carol]
options:
  labels: false
analysis:
  enabled: false
routing:
  respect_busy: false
risk:
  impact:
    - { paths: ["src/auth/**"], impact: critical, reason: identity }
`;
