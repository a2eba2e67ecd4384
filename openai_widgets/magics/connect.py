"""%openai connect [--base-url URL] [--organization ORG] [--project PROJECT] [--sandbox]"""

from __future__ import annotations

import argparse
import urllib.parse
from typing import TYPE_CHECKING, Any

from ._parsing import MagicArgumentParser

if TYPE_CHECKING:
    from ._core import OpenAIMagics

SUMMARY = "connect (key from OPENAI_API_KEY or a credential form), or --sandbox for the local server"


def configure(parser: MagicArgumentParser) -> None:
    parser.add_argument("--base-url", help="an OpenAI-compatible server (default https://api.openai.com/v1)")
    parser.add_argument("--organization", help="organization ID (org-...)")
    parser.add_argument("--project", help="project ID (proj_...)")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the local sandbox server and connect to it (no key needed)",
    )


def run(magic: OpenAIMagics, args: argparse.Namespace, cell: str | None) -> Any:
    from ..widgets._front import connect

    if args.sandbox:
        client = connect(sandbox=True)
    else:
        client = connect(organization=args.organization, project=args.project, base_url=args.base_url)
    if client is None:  # no key anywhere: the credential widget is showing
        return None
    count = len(client.models())
    host = urllib.parse.urlsplit(client.base_url).netloc
    organization = f", organization {client.organization}" if client.organization else ""
    print(f"connected to {host}: {count} models{organization}, key {client.masked_key}")
    return client
