"""The `site-builder` command line: build, check, serve, start (`new`) and publish (`deploy`) a site.

Output is ours: one progress line, every error as `path:line:col: message — hint` with its source
line, a summary. MkDocs' own log lines are shown only with `--verbose`; its warnings are errors
in strict mode (the default) and are printed with a position in mkdocs.yml where one is known.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from site_builder import __version__
from site_builder.errors import UserError, format_error
from site_builder.host.runner import BuildResult, build_site

EPILOG = """examples:
  site-builder build                 build the site of ./mkdocs.yml into its site_dir
  site-builder build -d public       build into ./public
  site-builder check                 validate pages, data, links without writing the site
  site-builder check --strict-sources  …and fail on any chart or timeline event without a source
  site-builder serve                 live preview on http://127.0.0.1:8000/
  site-builder new my-explainer      start a new site in ./my-explainer
  site-builder deploy                publish the site to the gh-pages branch of origin
"""


def _add_common(parser: argparse.ArgumentParser, strict_option: bool = True) -> None:
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", type=Path,
                        help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    if strict_option:
        parser.add_argument("--no-strict", dest="strict", action="store_false",
                            help="report warnings without failing the build")
    parser.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' log and tracebacks")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="site-builder", description="Build sourced, chart-rich explainer sites.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"site-builder {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site", epilog="example: site-builder build -d public",
                                description="Build the site; a failed build leaves the previous output as it was.")
    _add_common(build)
    build.add_argument("-d", "--site-dir", type=Path, help="output folder (default: site_dir from mkdocs.yml)")
    check = commands.add_parser("check", help="validate everything without writing the site",
                                epilog="example: site-builder check -f mkdocs.yml")
    _add_common(check)
    check.add_argument("--strict-sources", action="store_true",
                       help="a chart or timeline event without a source is an error, not a warning")
    serve = commands.add_parser("serve", help="live preview while you write",
                                epilog="example: site-builder serve -a 127.0.0.1:8001 --open")
    _add_common(serve)
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    serve.add_argument("--open", action="store_true", help="open the preview in a browser")
    _add_publishing(commands)
    return parser


def _add_publishing(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser("new", help="start a new explainer site from the template",
                              description="Make a complete, working explainer project in PATH (new or empty).",
                              epilog='example: site-builder new my-explainer --title "How the river came back"')
    new.add_argument("path", type=Path, help="folder for the new site; must not exist or be empty")
    new.add_argument("--title", help="the site's name and first article's title (default: from PATH)")
    new.set_defaults(verbose=False)
    deploy = commands.add_parser("deploy", help="build strictly and publish to a git branch (gh-pages)",
                                 description="Build strictly and publish the output to a branch of a remote as "
                                 "one commit naming the source commit. Your branch, index and uncommitted "
                                 "work are never touched.",
                                 epilog="example: site-builder deploy --remote origin --branch gh-pages --dry-run")
    _add_common(deploy, strict_option=False)
    deploy.add_argument("--remote", default="origin", help="git remote to push to (default: origin)")
    deploy.add_argument("--branch", default="gh-pages", help="branch to publish to (default: gh-pages)")
    deploy.add_argument("-m", "--message", help="subject of the published commit (the source commit is added)")
    deploy.add_argument("--dry-run", action="store_true", help="build and report what would be published; push nothing")


def print_result(result: BuildResult, root: Path) -> None:
    """Every error and warning with its source line (MkDocs' log, under --verbose, is printed live)."""
    for problem in result.errors + result.warnings:
        print(format_error(problem, root), file=sys.stderr)


def summary(result: BuildResult, seconds: float) -> str:
    counts = ", ".join(f"{n} {name[:-1] if n == 1 and name.endswith('s') else name}" for name, n in result.stats.items())
    return f"{counts} in {seconds:.2f}s"


def run_build(args: argparse.Namespace, site_dir: Path | None) -> int:
    config_file = args.config_file.resolve()
    root = config_file.parent
    print(f"building {config_file.relative_to(Path.cwd()) if config_file.is_relative_to(Path.cwd()) else config_file}"
          " …", file=sys.stderr)
    start = time.perf_counter()
    result = build_site(config_file, site_dir=site_dir, strict=args.strict, verbose=args.verbose,
                        check_sources=args.command == "check", strict_sources=getattr(args, "strict_sources", False))
    print_result(result, root)
    if not result.ok:
        n_err, n_warn = len(result.errors), len(result.warnings)
        print(f"failed: {n_err} error(s), {n_warn} warning(s){' (strict)' if args.strict and n_warn else ''}"
              " — the previous output is unchanged", file=sys.stderr)
        return 1
    if args.command == "check":  # the scratch output is deleted: name no folder
        print(f"checked {summary(result, time.perf_counter() - start)}: no problems, nothing written", file=sys.stderr)
    else:
        print(f"built {summary(result, time.perf_counter() - start)} → {result.site_dir}", file=sys.stderr)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    return run_build(args, args.site_dir)


def cmd_check(args: argparse.Namespace) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="site-builder-check-"))
    try:
        return run_build(args, scratch / "site")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cmd_serve(args: argparse.Namespace) -> int:
    from site_builder.serve import serve

    return serve(args.config_file.resolve(), args.dev_addr, open_browser=args.open, verbose=args.verbose,
                 strict=args.strict)


def cmd_new(args: argparse.Namespace) -> int:
    from site_builder.scaffold import create_project

    written = create_project(args.path, args.title)
    print(f"created {len(written)} files in {args.path}\nnext: cd {args.path} && site-builder serve",
          file=sys.stderr)
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from site_builder.deploy import DeployOptions, deploy

    options = DeployOptions(args.remote, args.branch, args.message, args.dry_run)
    config_file = args.config_file.resolve()
    print(f"building {args.config_file} for {options.remote} {options.branch} …", file=sys.stderr)
    result, published = deploy(config_file, options, args.verbose)
    print_result(result, config_file.parent)
    if published is None:
        print(f"not published: the build failed with {len(result.errors)} error(s), {len(result.warnings)} "
              f"warning(s) (deploy is always strict) — {options.branch} is unchanged", file=sys.stderr)
        return 1
    domain = f", custom domain {published.cname}" if published.cname else ""
    if published.commit is None:
        print(f"dry run: would publish {published.files} files to {options.remote} {options.branch}{domain}",
              file=sys.stderr)
    else:
        print(f"published {published.files} files to {options.remote} {options.branch} as "
              f"{published.commit[:12]}{domain}", file=sys.stderr)
    return 0


COMMANDS = {"build": cmd_build, "check": cmd_check, "serve": cmd_serve, "new": cmd_new, "deploy": cmd_deploy}


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, format="%(levelname)s %(message)s")
    # MkDocs' log lines are collected by the runner and reprinted with positions.
    logging.getLogger("mkdocs").propagate = args.verbose
    if args.command != "new" and not args.config_file.is_file():
        print(f"{args.config_file}:1:1: no such config file — run in a folder with mkdocs.yml, or pass "
              "-f path/to/mkdocs.yml (site-builder new PATH makes a new site)", file=sys.stderr)
        return 1
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except UserError as exc:
        root = Path.cwd() if args.command == "new" else args.config_file.resolve().parent
        print(format_error(exc, root), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 — any other exception is a bug in site-builder, not in the site
        if args.verbose:
            traceback.print_exc()
        then = "please report it with the traceback above" if args.verbose else "rerun with --verbose for the traceback"
        print(f"internal error: {type(exc).__name__}: {exc} — this is a bug in site-builder, not in your site; {then}",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
