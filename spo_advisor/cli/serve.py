"""``spo-advisor serve``: the HTTP service (needs the ``server`` extra)."""

from __future__ import annotations

import argparse

from spo_advisor.cli import common as cli


def _serve(args: argparse.Namespace) -> int:
    try:
        from spo_advisor.server.app import serve
    except ModuleNotFoundError as error:
        if error.name not in ("fastapi", "uvicorn", "starlette"):
            raise
        raise cli.UsageError("the HTTP service needs the server extra: "
                             "pip install 'spo_advisor[server]'") from None
    serve(args.host, args.port, rules=args.rules, workers=_whole_number(args.workers))
    return cli.EXIT_OK


def _whole_number(text: str) -> int:
    """The ``--workers`` value; its range is checked by ``serve``, with the usage error."""
    try:
        return int(text)
    except ValueError:
        raise cli.UsageError(f"--workers must be a whole number, not {text!r}") from None


def _port(text: str) -> int:
    """An argparse type for a TCP port."""
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError("not a port (1 to 65535)")
    return int(text)


def add_commands(commands: cli.SubParsers, rules_commands: cli.SubParsers) -> None:
    """Add ``serve``."""
    serve = commands.add_parser(
        "serve", help="serve assessments over HTTP (token: SPO_ADVISOR_API_TOKEN)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; any other needs a token)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    serve.add_argument("--rules", default=None, metavar="DIR",
                       help="rule-set directory (default: the shipped England and Wales rules)")
    serve.add_argument("--workers", default="1", metavar="N",
                       help="serve from N processes, 1 to 4 per CPU core (default 1)")
    serve.set_defaults(run=_serve)
