"""Evals and graders: what the evals, graders and reinforcement fine-tuning functions share.

`criteria` turns grader dicts and their short forms (`{column}`, `{output}`) into the API's
graders and checks them; `data` makes an eval's item schema, items and prompt from a
DataFrame; `output_format` turns `text_format=` into a `response_format`; `results` turns
output items into a DataFrame and a run into a row of a comparison; `pricing` prices a
run's tokens; `progress` draws the line of a run being followed; `chart` draws a comparison.
"""
