"""Organization usage and costs: what `org_usage` and `org_costs` share.

`kinds` lists the usage reports (their amounts, groupings and filters); `times` reads the
`start` and `end` they take; `plot` draws either over time.
"""
