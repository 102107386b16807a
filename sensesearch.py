"""The `sensesearch` command that `pip install .` puts on the PATH: one
entry to the app, the index and the search, each the same program as its
`python -m` form, which keeps working in a checkout.

    sensesearch app [--data-dir DIR]      # streamlit run streamlit_app.py [-- --data-dir DIR]
    sensesearch index ARGS...             # python -m indexing ARGS...  (build, status, delete)
    sensesearch search ARGS...            # python -m search ARGS...
"""
from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "streamlit_app.py"
COMMANDS = ("app", "index", "search")


def app_argv(args: list[str]) -> list[str]:
    """Streamlit's command line for the app with the app's own ``args``.
    Streamlit reads .streamlit/config.toml only from the working directory,
    so an installed app gets the checkout's settings as flags: the upload
    limit of the ingester, no browser opened, no usage statistics sent."""
    from indexing.ingest import MAX_FILE_BYTES

    flags = [f"--server.maxUploadSize={MAX_FILE_BYTES // 2**20}", "--server.headless=true",
             "--browser.gatherUsageStats=false"]
    return ["streamlit", "run", *flags, str(APP), "--", *args]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    usage = __doc__.split("\n\n", 1)[1].rstrip()
    if not args or args[0] in ("-h", "--help"):
        print(usage)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        print(f"sensesearch: unknown command {command!r}; valid commands are {', '.join(COMMANDS)}\n{usage}",
              file=sys.stderr)
        return 2
    if command == "index":
        from indexing.__main__ import main as index

        return index(rest)
    if command == "search":
        from search.__main__ import main as search

        return search(rest)
    from streamlit.web import cli

    sys.argv = app_argv(rest)
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
