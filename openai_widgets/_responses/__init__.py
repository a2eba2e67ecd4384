"""What the Responses API calls share: inputs, tools, the tool loop, streams and the `Response`.

`inputs` turns text, messages, images, paths and File IDs into input items; `tools` turns
names, dicts and Python functions into tools; `body` checks `respond()`'s arguments into a
request body; `run` drives one reply through its tool rounds (streamed or not, `confirm`
asking before calls); `stream` folds streamed events back into a response; `result` is the
`Response` (`items` makes its tables, `display` its Markdown); `background` waits for a
background response; `errors` holds what respond() raises beyond the transport's errors.
"""
