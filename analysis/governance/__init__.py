"""Governance: data contracts and the quality gate, version KPIs, the failure-mode backlog, PII scans."""
