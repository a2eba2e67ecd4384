"""What requests cost: a dated price table, estimates before a bulk call, a ledger after.

`prices` holds OpenAI's published prices per model (dated, overridable with
`set_prices`), `charges` turns counted use (tokens, images, seconds, characters) into
dollars with them, `estimate` plans a bulk call's tokens and cost before anything is
sent, `guard` refuses or confirms a call above `max_cost` or the notebook's threshold,
and `ledger` keeps one row per answered request of the session (`usage_log()`).
"""
