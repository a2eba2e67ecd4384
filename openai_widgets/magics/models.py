"""%openai models [MODEL_ID] [--search TEXT]"""

from __future__ import annotations

SUMMARY = "list models as a DataFrame, or show one model's record"


def configure(parser) -> None:
    parser.add_argument("model_id", nargs="?", help="a model ID to show (default: list all)")
    parser.add_argument("--search", help="keep models whose ID contains this text")


def run(magic, args, cell):
    client = magic.client()
    if args.model_id:
        return client.model(args.model_id)
    frame = client.models()
    if args.search:
        frame = frame[frame["id"].str.contains(args.search, case=False, regex=False)].reset_index(drop=True)
    return frame
