"""Reads for onboarding, one module per job (see docs/enrollment.md and docs/triggers.md).

- ``enrollments``: enrollments, holidays, path steps, first value, accountability;
- ``checklists``: a person's dated checklist;
- ``team``: a manager's reports;
- ``banners``: the in-app messages addressed to someone.
"""
